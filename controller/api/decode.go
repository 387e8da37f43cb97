package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode"

	"github.com/netwatcher/netwatcher/controller/apperr"
)

// maxBodyBytes caps every request body (CONTRACT §1).
const maxBodyBytes = 1 << 20

// decodeBody reads a JSON object into dst, whose fields are tagged in
// snake_case. Top-level keys are accepted in either casing (`intervalSec`
// and `interval_sec` both fill `interval_sec`); nested objects such as
// labels are user data and keep their keys. An empty body decodes as {}.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json")) {
			return apperr.Invalidf("Content-Type must be application/json (got %q)", ct)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return apperr.Invalidf("could not read request body: %v", err)
	}
	return decodeJSONObject(body, dst)
}

// decodeJSONObject is decodeBody without the HTTP framing.
func decodeJSONObject(body []byte, dst any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return describeJSONError(err)
	}
	if fields == nil {
		return apperr.Invalidf("request body must be a JSON object")
	}
	normalized := make(map[string]json.RawMessage, len(fields))
	sent := make(map[string]string, len(fields)) // normalized key → key as sent
	for k, v := range fields {
		if strings.ContainsRune(k, 0) || hasNULEscape(v) {
			return apperr.Invalidf("field %q must not contain NUL characters (\\u0000)", strings.ReplaceAll(k, "\x00", ""))
		}
		normalized[snakeCase(k)] = v
		sent[snakeCase(k)] = k
	}
	buf, err := json.Marshal(normalized)
	if err != nil {
		return fmt.Errorf("re-encode body: %w", err)
	}
	if err := json.Unmarshal(buf, dst); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			// Name the field the way the client spelled it.
			top, rest, nested := strings.Cut(typ.Field, ".")
			if k, ok := sent[top]; ok {
				typ.Field = k
				if nested {
					typ.Field += "." + rest
				}
			}
		}
		return describeJSONError(err)
	}
	return nil
}

// hasNULEscape reports whether valid JSON text holds a string with an
// escaped NUL character. Such text is refused up front: PostgreSQL cannot
// store NUL in TEXT or JSONB, and bad input must be a 400, never a 500.
func hasNULEscape(text []byte) bool {
	inString := false
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(text):
			if text[i+1] == 'u' && i+5 < len(text) && string(text[i+2:i+6]) == "0000" {
				return true
			}
			i++ // skip the escaped character (a \" does not end the string)
		}
	}
	return false
}

func describeJSONError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return apperr.Invalidf("malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return apperr.Invalidf("request body must be a JSON object, not %s", typ.Value)
		}
		return apperr.Invalidf("field %q must be %s, not %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalidf("malformed JSON: unexpected end of input")
	default:
		return apperr.Invalidf("malformed JSON: %v", err)
	}
}

// jsonKind names a Go kind the way a JSON user thinks of it.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "a boolean"
	case kind == "slice", kind == "array":
		return "an array"
	case kind == "map", kind == "struct":
		return "an object"
	default:
		return "of another type"
	}
}

// snakeCase turns camelCase (including acronyms: pinTTLSeconds) into
// snake_case; snake_case input is returned unchanged.
func snakeCase(s string) string {
	runes := []rune(s)
	var b strings.Builder
	for i, r := range runes {
		if unicode.IsUpper(r) {
			prevLower := i > 0 && (unicode.IsLower(runes[i-1]) || unicode.IsDigit(runes[i-1]))
			acronymEnd := i > 0 && unicode.IsUpper(runes[i-1]) && i+1 < len(runes) && unicode.IsLower(runes[i+1])
			if prevLower || acronymEnd {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
