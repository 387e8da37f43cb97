package metrics

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// lenientNumber is a JSON number or a string holding one: deployed agents send
// MTR hop statistics as strings such as "12.34". null, "" and "-" (mtr's mark
// for no data) have no value.
type lenientNumber struct {
	value float64
	set   bool
}

var lenientNumberType = reflect.TypeFor[lenientNumber]()

func (n *lenientNumber) UnmarshalJSON(data []byte) error {
	*n = lenientNumber{}
	text := string(data)
	switch data[0] {
	case 'n':
		return nil
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		text = strings.TrimSpace(s)
		if text == "" || text == "-" {
			return nil
		}
	case '{', '[', 't', 'f':
		return n.typeError(data)
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return n.typeError(data)
	}
	*n = lenientNumber{value: v, set: true}
	return nil
}

// typeError lets encoding/json name the field that held data.
func (*lenientNumber) typeError(data []byte) error {
	var got string
	switch data[0] {
	case '{':
		got = "object"
	case '[':
		got = "array"
	case 't', 'f':
		got = "bool"
	case '"':
		got = "string " + string(data)
	default:
		got = "number " + string(data)
	}
	return &json.UnmarshalTypeError{Value: got, Type: lenientNumberType}
}

// ptr is the number as an optional metric value.
func (n lenientNumber) ptr() *float64 {
	if !n.set {
		return nil
	}
	v := n.value
	return &v
}
