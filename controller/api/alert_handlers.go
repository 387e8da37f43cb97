package api

import (
	"net/http"

	"github.com/netwatcher/netwatcher/controller/alerts"
)

func (a *API) listAlertRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := a.alerts.ListRules(r.Context(), currentWorkspace(r).ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[alerts.Rule]{Data: rules})
}

func (a *API) createAlertRule(w http.ResponseWriter, r *http.Request) error {
	var in alerts.RuleInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	rule, err := a.alerts.CreateRule(r.Context(), currentWorkspace(r).ID, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, rule)
}

func (a *API) getAlertRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "ruleId")
	if err != nil {
		return err
	}
	rule, err := a.alerts.GetRule(r.Context(), currentWorkspace(r).ID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rule)
}

func (a *API) updateAlertRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "ruleId")
	if err != nil {
		return err
	}
	var in alerts.RuleInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	rule, err := a.alerts.UpdateRule(r.Context(), currentWorkspace(r).ID, id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rule)
}

func (a *API) deleteAlertRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "ruleId")
	if err != nil {
		return err
	}
	if err := a.alerts.DeleteRule(r.Context(), currentWorkspace(r).ID, id); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ok)
}

// listAlerts lists alerts across the caller's workspaces (status, limit;
// offset is honoured too).
func (a *API) listAlerts(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	items, err := a.alerts.List(r.Context(), session(r).User.ID, r.URL.Query().Get("status"), page)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[alerts.Alert]{Data: items})
}

func (a *API) countAlerts(w http.ResponseWriter, r *http.Request) error {
	n, err := a.alerts.CountActive(r.Context(), session(r).User.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"count": n})
}

// patchAlert serves PATCH /alerts/{id} (status from the body) and its
// acknowledge/resolve aliases (status from the path, body ignored).
func (a *API) patchAlert(pathStatus string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		status := pathStatus
		if status == "" {
			var req struct {
				Status string `json:"status"`
			}
			if err := decodeBody(w, r, &req); err != nil {
				return err
			}
			status = req.Status
		}
		alert, err := a.alerts.SetStatus(r.Context(), session(r).User.ID, id, status)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, alert)
	}
}

func (a *API) alertDeliveries(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "alertId")
	if err != nil {
		return err
	}
	items, err := a.alerts.Deliveries(r.Context(), currentWorkspace(r).ID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[alerts.Delivery]{Data: items})
}
