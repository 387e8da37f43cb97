package lookup

import "github.com/netwatcher/netwatcher/controller/lookup/oui"

// Vendor names the vendor of one MAC address: 400 for anything but a MAC
// (also when no registry is loaded), then 503 when none is. An address no
// one registered is found:false, not an error.
func (s *Service) Vendor(mac string) (oui.Result, error) {
	res, err := s.oui.Lookup(mac)
	return res, ouiError(mac, err)
}

// VendorItem is one entry of a bulk answer. A failed entry carries the MAC
// as given and the reason, without the oui, vendor and found fields of a
// result (the embedded pointer is nil); MAC shadows the result's own field,
// so it is set to the normalised address on success.
type VendorItem struct {
	*oui.Result
	MAC   string `json:"mac"`
	Error string `json:"error,omitempty"`
}

// VendorBulk names the vendors of up to MaxBulk MAC addresses, in input
// order. Each lookup is one map access, so they run in sequence: goroutines
// would cost more than they save.
func (s *Service) VendorBulk(macs []string) ([]VendorItem, error) {
	if err := checkBulk("macs", len(macs), "MAC address"); err != nil {
		return nil, err
	}
	if !s.oui.Status().Loaded {
		return nil, errOUINotConfigured
	}
	items := make([]VendorItem, len(macs))
	for i, mac := range macs {
		// The registry's only errors are ErrInvalidMAC and ErrNotConfigured
		// (unloaded since the check above): both belong to the entry.
		if res, err := s.oui.Lookup(mac); err != nil {
			items[i] = VendorItem{MAC: mac, Error: err.Error()}
		} else {
			items[i] = VendorItem{Result: &res, MAC: res.MAC}
		}
	}
	return items, nil
}

// OUIStatus describes the loaded registry.
func (s *Service) OUIStatus() oui.Status { return s.oui.Status() }
