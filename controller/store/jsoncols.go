package store

import (
	"bytes"
	"encoding/json"

	"github.com/netwatcher/netwatcher/controller/apperr"
)

// JSONObject checks that raw is a JSON object (absent or null mean {}) and
// returns it as text for a JSON column. field names the input in the error.
func JSONObject(field string, raw json.RawMessage) (string, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return "{}", nil
	}
	if trimmed[0] != '{' || !json.Valid(trimmed) {
		return "", apperr.Invalidf("%s must be a JSON object", field)
	}
	return string(trimmed), nil
}

// RawObject returns stored JSON-object text as json.RawMessage, never empty.
func RawObject(text string) json.RawMessage {
	if text == "" {
		return json.RawMessage("{}")
	}
	return json.RawMessage(text)
}
