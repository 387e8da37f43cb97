package api

import (
	"net/http"

	"github.com/netwatcher/netwatcher/controller/workspace"
)

// panelRoutes are the live panel's: its socket and the network map.
func (a *API) panelRoutes(r router) {
	if a.panelSocket != nil {
		r.mux.Handle("GET /ws/panel", a.panelSocket)
	}
	if a.networkMap != nil {
		r.member("GET /workspaces/{id}/network-map", workspace.Viewer, a.getNetworkMap)
	}
}

func (a *API) getNetworkMap(w http.ResponseWriter, r *http.Request) error {
	m, err := a.networkMap.Build(r.Context(), currentWorkspace(r).ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}
