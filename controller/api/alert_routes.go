package api

import (
	"github.com/netwatcher/netwatcher/controller/alerts"
	"github.com/netwatcher/netwatcher/controller/workspace"
)

// alertRoutes are the rule, alert and delivery endpoints (CONTRACT §7).
// The cross-workspace alert paths are literal, so ServeMux prefers them to
// /workspaces/{id}: "alerts" is never read as a workspace id.
func (a *API) alertRoutes(r router) {
	r.member("GET /workspaces/{id}/alert-rules", workspace.Viewer, a.listAlertRules)
	r.member("POST /workspaces/{id}/alert-rules", workspace.Admin, a.createAlertRule)
	r.member("GET /workspaces/{id}/alert-rules/{ruleId}", workspace.Viewer, a.getAlertRule)
	r.member("PATCH /workspaces/{id}/alert-rules/{ruleId}", workspace.Admin, a.updateAlertRule)
	r.member("DELETE /workspaces/{id}/alert-rules/{ruleId}", workspace.Admin, a.deleteAlertRule)
	r.member("GET /workspaces/{id}/alerts/{alertId}/deliveries", workspace.Viewer, a.alertDeliveries)

	for _, prefix := range []string{"/workspaces/alerts", "/alerts"} {
		r.user("GET "+prefix, a.listAlerts)
		r.user("GET "+prefix+"/count", a.countAlerts)
	}
	// The alert's workspace is not in the path: the role check is the domain's.
	r.user("PATCH /alerts/{id}", a.patchAlert(""))
	r.user("PATCH /alerts/{id}/acknowledge", a.patchAlert(alerts.Acknowledged))
	r.user("PATCH /alerts/{id}/resolve", a.patchAlert(alerts.Resolved))
}
