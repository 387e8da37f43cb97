package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/netwatcher/netwatcher/protocol"
)

var (
	// ErrUnknownResultType: the type names no result an agent posts (AGENT
	// included: its expansion reports as MTR, PING and TRAFFICSIM).
	ErrUnknownResultType = errors.New("unknown result type")
	// ErrInvalidPayload: the payload is not a JSON object or a known field has
	// the wrong JSON type.
	ErrInvalidPayload = errors.New("invalid probe payload")
)

// extractors read one result type's payload. Each declares the payload fields
// it knows, numeric ones included even when no metric needs them, so that a
// wrong JSON type is rejected; unknown fields are ignored.
var extractors = map[string]func(json.RawMessage) (Values, error){
	protocol.TypePing:             extractPing,
	protocol.TypeTrafficSim:       extractTrafficSim,
	protocol.TypeMTR:              extractMTR,
	protocol.TypeDNS:              extractDNS,
	protocol.TypeHTTP:             extractHTTP,
	protocol.TypeTLS:              extractTLS,
	protocol.TypeSysinfo:          extractSysinfo,
	protocol.TypeSpeedtest:        validateSpeedtest,
	protocol.TypeNetinfo:          objectOnly(protocol.TypeNetinfo),
	protocol.TypeSpeedtestServers: objectOnly(protocol.TypeSpeedtestServers),
}

// Extract validates a result's payload and reads every metric it carries,
// normalised to the units of Values (nanoseconds and numeric strings become
// float milliseconds). RouteChange and CPUUsage need the previous result: see
// Values.CompareWithPrevious.
func Extract(resultType string, payload json.RawMessage) (Values, error) {
	extract, ok := extractors[resultType]
	if !ok {
		return Values{}, fmt.Errorf("%w %q", ErrUnknownResultType, resultType)
	}
	return extract(payload)
}

func objectOnly(resultType string) func(json.RawMessage) (Values, error) {
	return func(payload json.RawMessage) (Values, error) {
		return Values{}, decodePayload(resultType, payload, &struct{}{})
	}
}

// decodePayload decodes payload into the struct into points to and turns
// decoding errors into ErrInvalidPayload errors that name the field.
func decodePayload(resultType string, payload json.RawMessage, into any) error {
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || string(payload) == "null" {
		return fmt.Errorf("%w: %s: missing", ErrInvalidPayload, resultType)
	}
	err := json.Unmarshal(payload, into)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return fmt.Errorf("%w: %s: must be a JSON object, got %s", ErrInvalidPayload, resultType, typeErr.Value)
	case errors.As(err, &typeErr):
		return fmt.Errorf("%w: %s: field %q must be %s, got %s",
			ErrInvalidPayload, resultType, typeErr.Field, expectedKind(typeErr.Type), typeErr.Value)
	default:
		return fmt.Errorf("%w: %s: %v", ErrInvalidPayload, resultType, err)
	}
}

// expectedKind describes in JSON terms what a payload field of Go type t holds.
func expectedKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == lenientNumberType {
		return "a number or a numeric string"
	}
	switch k := t.Kind(); {
	case reflect.Int <= k && k <= reflect.Float64:
		return "a number"
	case k == reflect.String:
		return "a string"
	case k == reflect.Bool:
		return "a boolean"
	case k == reflect.Slice || k == reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}

// atLeast reports whether a count is known to be at least n, or unknown: a
// missing count does not veto the value it guards.
func atLeast(count *float64, n float64) bool {
	return count == nil || *count >= n
}

// when returns value if cond holds, else no value.
func when(cond bool, value *float64) *float64 {
	if !cond {
		return nil
	}
	return value
}

// estimatedMOS applies the E-model when latency, jitter and loss are all known.
func estimatedMOS(latencyMs, jitterMs, lossPercent *float64) *float64 {
	if latencyMs == nil || jitterMs == nil || lossPercent == nil {
		return nil
	}
	mos := MOSFromRFactor(RFactor(*latencyMs, *jitterMs, *lossPercent))
	return &mos
}

// millisFromNanos converts a duration in nanoseconds to milliseconds.
func millisFromNanos(ns *float64) *float64 {
	if ns == nil {
		return nil
	}
	ms := *ns / 1e6
	return &ms
}
