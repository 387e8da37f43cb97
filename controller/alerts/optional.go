package alerts

import (
	"bytes"
	"encoding/json"
)

// Optional is a field of a create or update request that tells "absent"
// (Set false) from "null" (Set, Null) from a value, so PATCH can clear a
// nullable field such as probe_id without clearing every absent one.
type Optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON runs only for keys present in the body.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}
