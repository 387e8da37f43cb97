package alerts

import "testing"

func TestOperatorsAcceptSymbolsAndWords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in     []string
		symbol string
		breach [3]bool // value below, equal to, above the threshold
	}{
		{[]string{">", "gt", "GT"}, ">", [3]bool{false, false, true}},
		{[]string{">=", "gte"}, ">=", [3]bool{false, true, true}},
		{[]string{"<", "lt"}, "<", [3]bool{true, false, false}},
		{[]string{"<=", "lte"}, "<=", [3]bool{true, true, false}},
		{[]string{"==", "eq"}, "==", [3]bool{false, true, false}},
		{[]string{"!=", "ne", " Ne "}, "!=", [3]bool{true, false, true}},
	}
	for _, c := range cases {
		for _, in := range c.in {
			op, err := parseOperator(in)
			if err != nil {
				t.Fatalf("parseOperator(%q): %v", in, err)
			}
			if op.String() != c.symbol {
				t.Errorf("%q is stored as %q, want %q", in, op, c.symbol)
			}
			for i, v := range []float64{4, 5, 6} {
				if got := op.breached(v, 5); got != c.breach[i] {
					t.Errorf("%v %s 5 = %v, want %v", v, in, got, c.breach[i])
				}
			}
		}
	}
	for _, bad := range []string{"", "=", "=>", "greater", "<>"} {
		if _, err := parseOperator(bad); err == nil {
			t.Errorf("parseOperator(%q) accepted", bad)
		}
	}
}
