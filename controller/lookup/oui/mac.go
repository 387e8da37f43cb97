package oui

import "fmt"

// mac is a 48-bit MAC address held in the low bits, so registry prefixes of
// any length are a shift away.
type mac uint64

// parseMAC accepts the spellings people paste: 00:1C:42:AB:CD:EF,
// 00-1C-42-AB-CD-EF, 001C42ABCDEF and Cisco's 001c.42ab.cdef, in either case.
// Separators must be consistent and groups complete; anything else, including
// EUI-64 and bare OUI prefixes, is refused.
func parseMAC(s string) (mac, error) {
	var group int // hex digits between separators
	var sep byte
	switch {
	case len(s) == 12:
		group = 12
	case len(s) == 17 && (s[2] == ':' || s[2] == '-'):
		group, sep = 2, s[2]
	case len(s) == 14 && s[4] == '.':
		group, sep = 4, '.'
	default:
		return 0, ErrInvalidMAC
	}
	var m mac
	for i := 0; i < len(s); i++ {
		if (i+1)%(group+1) == 0 {
			if s[i] != sep {
				return 0, ErrInvalidMAC
			}
			continue
		}
		d, ok := hexDigit(s[i])
		if !ok {
			return 0, ErrInvalidMAC
		}
		m = m<<4 | mac(d)
	}
	return m, nil
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// String formats the address as the API shows it: 00:1C:42:AB:CD:EF.
func (m mac) String() string {
	return fmt.Sprintf("%02X:%02X:%02X:%02X:%02X:%02X", byte(m>>40), byte(m>>32), byte(m>>24), byte(m>>16), byte(m>>8), byte(m))
}

// oui is the first three octets in IEEE notation: 00-1C-42.
func (m mac) oui() string {
	return fmt.Sprintf("%02X-%02X-%02X", byte(m>>40), byte(m>>32), byte(m>>24))
}
