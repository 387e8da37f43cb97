package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
)

// JSONObject is a JSON object kept as raw bytes, for free-form fields such as
// probe labels and metadata. Deployed agents require these to be objects, so
// an empty value encodes as {} (never null) and decoding accepts only an
// object (or null, read as empty).
type JSONObject json.RawMessage

// MarshalJSON encodes o, or {} when o is empty.
func (o JSONObject) MarshalJSON() ([]byte, error) {
	data := bytes.TrimSpace(o)
	switch {
	case len(data) == 0 || string(data) == "null":
		return []byte("{}"), nil
	case data[0] != '{':
		return nil, errors.New("protocol.JSONObject holds a JSON value that is not an object")
	default:
		return data, nil
	}
}

// UnmarshalJSON keeps a copy of an object's bytes.
func (o *JSONObject) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) > 0 && data[0] == '{':
		*o = bytes.Clone(data)
	case string(data) == "null":
		*o = nil
	default:
		// A type error lets encoding/json name the offending field.
		return &json.UnmarshalTypeError{Value: jsonKind(data), Type: reflect.TypeFor[JSONObject]()}
	}
	return nil
}

// jsonKind names the kind of a JSON value the way encoding/json's errors do.
func jsonKind(data []byte) string {
	if len(data) == 0 {
		return "nothing"
	}
	switch data[0] {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	default:
		return "number"
	}
}
