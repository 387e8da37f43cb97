package api

import (
	"net/http"

	"github.com/netwatcher/netwatcher/controller/speedtest"
)

func (a *API) listSpeedtests(w http.ResponseWriter, r *http.Request) error {
	items, err := a.speedtest.List(r.Context(), currentWorkspace(r).ID, currentAgent(r).ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[speedtest.Item]{Data: items})
}

type speedtestRequest struct {
	ServerID   string `json:"server_id"`
	ServerName string `json:"server_name"`
}

func (a *API) requestSpeedtest(w http.ResponseWriter, r *http.Request) error {
	var req speedtestRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	ag := currentAgent(r)
	it, err := a.speedtest.Request(r.Context(), ag.WorkspaceID, ag.ID, session(r).User.ID, req.ServerID, req.ServerName)
	if err != nil {
		return err
	}
	a.events.ProbesChanged([]int64{ag.ID}) // the SPEEDTEST probe's target changed
	return writeJSON(w, http.StatusCreated, it)
}

func (a *API) cancelSpeedtest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "queueID")
	if err != nil {
		return err
	}
	ag := currentAgent(r)
	if err := a.speedtest.Cancel(r.Context(), ag.WorkspaceID, ag.ID, id); err != nil {
		return err
	}
	a.events.ProbesChanged([]int64{ag.ID})
	return writeJSON(w, http.StatusOK, ok)
}

func (a *API) speedtestServers(w http.ResponseWriter, r *http.Request) error {
	servers, err := a.speedtest.Servers(r.Context(), currentAgent(r).ID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write([]byte(`{"data":` + string(servers) + "}\n"))
	return err
}
