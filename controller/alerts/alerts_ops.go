package alerts

import (
	"context"
	"strings"

	"github.com/netwatcher/netwatcher/controller/apperr"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/controller/workspace"
)

// parseStatusFilter accepts "" (any) or one of the alert statuses.
func parseStatusFilter(s string) (string, error) {
	switch s = strings.ToLower(strings.TrimSpace(s)); s {
	case "", Active, Acknowledged, Resolved:
		return s, nil
	}
	return "", apperr.Invalidf("status %q is not one of active, acknowledged, resolved", s)
}

// List returns the alerts of every workspace the user is a member of,
// newest first, optionally only those of one status.
func (s *Service) List(ctx context.Context, userID int64, status string, page store.Page) ([]Alert, error) {
	status, err := parseStatusFilter(status)
	if err != nil {
		return nil, err
	}
	return listAlerts(ctx, s.db, userID, status, page)
}

// CountActive counts the active alerts of the user's workspaces.
func (s *Service) CountActive(ctx context.Context, userID int64) (int, error) {
	return countActive(ctx, s.db, userID)
}

// SetStatus acknowledges or resolves an alert on behalf of a user, who must
// be a USER or higher in the alert's workspace. An acknowledged alert stays
// open until its condition clears or someone resolves it; a resolved alert
// cannot be changed. A manual resolve sends the resolve notifications.
func (s *Service) SetStatus(ctx context.Context, userID, alertID int64, status string) (Alert, error) {
	a, role, err := alertForUser(ctx, s.db, alertID, userID)
	if err != nil {
		return Alert{}, err
	}
	if err := role.Require(workspace.User); err != nil {
		return Alert{}, err
	}
	status = strings.ToLower(strings.TrimSpace(status))
	if status != Acknowledged && status != Resolved {
		return Alert{}, apperr.Invalidf("status must be %q or %q", Acknowledged, Resolved)
	}
	if a.Status == Resolved {
		return Alert{}, errResolved(alertID)
	}
	now := s.now()
	if status == Resolved {
		resolved, ok, err := s.resolveAlert(ctx, alertID, now)
		if err != nil {
			return Alert{}, err
		}
		if !ok {
			return Alert{}, errResolved(alertID)
		}
		s.tracker.closed(resolved.key, resolved.ID, now)
		return resolved, nil
	}
	if a.Status == Acknowledged {
		return a, nil
	}
	if _, err := markAcknowledged(ctx, s.db, alertID, userID, now); err != nil {
		return Alert{}, err
	}
	if a, err = getAlert(ctx, s.db, alertID); err != nil {
		return Alert{}, err
	}
	if a.Status == Resolved { // resolved between the read and the update
		return Alert{}, errResolved(alertID)
	}
	rule, err := ruleByID(ctx, s.db, a.RuleID)
	if err != nil {
		return Alert{}, err
	}
	s.announce(rule, a, false)
	return a, nil
}

// Deliveries lists the webhook attempts for an alert of the workspace.
func (s *Service) Deliveries(ctx context.Context, workspaceID, alertID int64) ([]Delivery, error) {
	if _, err := alertInWorkspace(ctx, s.db, workspaceID, alertID); err != nil {
		return nil, err
	}
	return listDeliveries(ctx, s.db, alertID)
}

// errResolved refuses a change to a resolved alert (CONTRACT §7: 409).
func errResolved(alertID int64) error {
	return apperr.Conflictf("alert %d is resolved; a resolved alert cannot be changed", alertID)
}
