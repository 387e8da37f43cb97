package alerts

import (
	"strings"

	"github.com/netwatcher/netwatcher/controller/apperr"
)

// operator compares a result's value with a rule's threshold.
type operator int

const (
	opGT operator = iota + 1
	opGE
	opLT
	opLE
	opEQ
	opNE
)

// operatorNames accepts the symbol and the word of each operator; rules
// store and show the symbol.
var operatorNames = map[string]operator{
	">": opGT, "gt": opGT,
	">=": opGE, "gte": opGE,
	"<": opLT, "lt": opLT,
	"<=": opLE, "lte": opLE,
	"==": opEQ, "eq": opEQ,
	"!=": opNE, "ne": opNE,
}

var operatorSymbols = map[operator]string{opGT: ">", opGE: ">=", opLT: "<", opLE: "<=", opEQ: "==", opNE: "!="}

// parseOperator reads an operator in symbol or word form (words in any case).
func parseOperator(s string) (operator, error) {
	op, ok := operatorNames[strings.ToLower(strings.TrimSpace(s))]
	if !ok {
		return 0, apperr.Invalidf("operator %q is not one of >, >=, <, <=, ==, != (or gt, gte, lt, lte, eq, ne)", s)
	}
	return op, nil
}

func (op operator) String() string { return operatorSymbols[op] }

// breached reports whether value meets the condition "value op threshold".
func (op operator) breached(value, threshold float64) bool {
	switch op {
	case opGT:
		return value > threshold
	case opGE:
		return value >= threshold
	case opLT:
		return value < threshold
	case opLE:
		return value <= threshold
	case opEQ:
		return value == threshold
	case opNE:
		return value != threshold
	}
	return false
}
