package oui

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// assignment is one registry entry: the first bits of a MAC address and the
// organisation IEEE assigned them to. MA-L (OUI) blocks are 24 bits, MA-M 28,
// MA-S and the older IAB 36.
type assignment struct {
	bits   int
	prefix uint64
	vendor string
}

// csvHeader starts every registry CSV IEEE publishes (oui.csv, mam.csv,
// oui36.csv, iab.csv), which is how the format is told apart from text.
const csvHeader = "Registry,Assignment,Organization Name"

// parseRegistry reads an IEEE registry file in either published form.
func parseRegistry(r io.Reader) ([]assignment, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(len(csvHeader) + 3) // room for a UTF-8 byte order mark
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	var list []assignment
	if bytes.Contains(head, []byte(csvHeader)) {
		list, err = parseCSV(br)
	} else {
		list, err = parseText(br)
	}
	if err == nil && len(list) == 0 {
		err = errors.New("no assignments found")
	}
	return list, err
}

// parseCSV reads rows of Registry,Assignment,Organization Name,Organization
// Address, where Assignment is 6, 7 or 9 hex digits.
func parseCSV(r io.Reader) ([]assignment, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked below, with a clearer message
	cr.ReuseRecord = true
	var list []assignment
	for row := 0; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return list, nil
		}
		if err != nil {
			return nil, err
		}
		if row == 0 {
			continue // header
		}
		line, _ := cr.FieldPos(0)
		if len(rec) < 3 {
			return nil, fmt.Errorf("line %d: %d fields, want at least 3", line, len(rec))
		}
		prefix, err := strconv.ParseUint(rec[1], 16, 64)
		if err != nil || !validPrefixLength(len(rec[1])*4) {
			return nil, fmt.Errorf("line %d: bad assignment %q", line, rec[1])
		}
		list = append(list, assignment{bits: len(rec[1]) * 4, prefix: prefix, vendor: strings.TrimSpace(rec[2])})
	}
}

// parseText reads IEEE's text layout. Each entry has a line
// "00-1C-42   (hex)   Vendor" and a line "001C42   (base 16)   Vendor"; MA-M
// and MA-S files give the range inside the 24-bit block instead:
// "900000-9FFFFF   (base 16)" is 28 bits, "F2F000-F2FFFF" 36 bits. Address
// lines and headers are skipped.
func parseText(r io.Reader) ([]assignment, error) {
	sc := bufio.NewScanner(r)
	var list []assignment
	var block uint64 // the 24 bits from the last (hex) line
	haveBlock := false
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if left, _, ok := strings.Cut(text, "(hex)"); ok {
			v, err := strconv.ParseUint(strings.ReplaceAll(strings.TrimSpace(left), "-", ""), 16, 32)
			if err != nil || len(strings.TrimSpace(left)) != 8 {
				return nil, fmt.Errorf("line %d: bad OUI %q", line, strings.TrimSpace(left))
			}
			block, haveBlock = v, true
			continue
		}
		left, vendor, ok := strings.Cut(text, "(base 16)")
		if !ok {
			continue
		}
		if !haveBlock {
			return nil, fmt.Errorf("line %d: (base 16) line without a (hex) line before it", line)
		}
		a, err := textAssignment(block, strings.TrimSpace(left))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		a.vendor = strings.TrimSpace(vendor)
		list = append(list, a)
	}
	return list, sc.Err()
}

// textAssignment reads the part before "(base 16)": six hex digits for an
// MA-L block, or START-END within block, where the digits START and END
// share are the assignment's extra bits and the rest run 0…0 to F…F.
func textAssignment(block uint64, field string) (assignment, error) {
	start, end, isRange := strings.Cut(field, "-")
	if !isRange {
		v, err := strconv.ParseUint(field, 16, 32)
		if err != nil || len(field) != 6 || v != block {
			return assignment{}, fmt.Errorf("bad OUI %q", field)
		}
		return assignment{bits: 24, prefix: v}, nil
	}
	shared := 0
	for shared < len(start) && shared < len(end) && start[shared] == end[shared] {
		shared++
	}
	bits := 24 + 4*shared
	if len(start) != 6 || len(end) != 6 || !validPrefixLength(bits) ||
		strings.Trim(start[shared:], "0") != "" || strings.Trim(strings.ToUpper(end[shared:]), "F") != "" {
		return assignment{}, fmt.Errorf("bad range %q", field)
	}
	extra, err := strconv.ParseUint(start[:shared], 16, 32)
	if err != nil {
		return assignment{}, fmt.Errorf("bad range %q", field)
	}
	return assignment{bits: bits, prefix: block<<(4*shared) | extra}, nil
}

func validPrefixLength(bits int) bool {
	return bits == 24 || bits == 28 || bits == 36
}
