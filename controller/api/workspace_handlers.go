package api

import (
	"encoding/json"
	"net/http"

	"github.com/netwatcher/netwatcher/controller/agents"
	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/controller/workspace"
)

type workspaceRequest struct {
	Name        *string         `json:"name"`
	Description *string         `json:"description"`
	DisplayName *string         `json:"display_name"` // accepted alias of description
	Settings    json.RawMessage `json:"settings"`
}

func (req workspaceRequest) fields() workspace.Fields {
	desc := req.Description
	if desc == nil {
		desc = req.DisplayName
	}
	return workspace.Fields{Name: req.Name, Description: desc, Settings: req.Settings}
}

func (a *API) listWorkspaces(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	q, err := queryText(r, "q")
	if err != nil {
		return err
	}
	items, total, err := workspace.List(r.Context(), a.db, session(r).User.ID, q, page)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listPage[workspace.Workspace]{Data: items, Total: total, Limit: page.Limit, Offset: page.Offset})
}

func (a *API) createWorkspace(w http.ResponseWriter, r *http.Request) error {
	var req workspaceRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	u := session(r).User
	ws, err := workspace.Create(r.Context(), a.db, u.ID, u.Email, req.fields())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, ws)
}

func (a *API) getWorkspace(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, currentWorkspace(r))
}

func (a *API) updateWorkspace(w http.ResponseWriter, r *http.Request) error {
	var req workspaceRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	ws, err := workspace.Update(r.Context(), a.db, currentWorkspace(r), req.fields())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ws)
}

// deleteWorkspace soft-deletes the workspace and, in the same transaction,
// its agents and probes (CONTRACT §3). As when an agent is deleted,
// connected agents are told to deactivate just before.
func (a *API) deleteWorkspace(w http.ResponseWriter, r *http.Request) error {
	ws := currentWorkspace(r)
	live, err := agents.ListAll(r.Context(), a.db, ws.ID)
	if err != nil {
		return err
	}
	for _, ag := range live {
		a.events.Deactivate(ag.ID, "deleted")
	}
	err = a.db.InTx(r.Context(), func(tx *store.Tx) error {
		if err := workspace.Delete(r.Context(), tx, ws.ID); err != nil {
			return err
		}
		return agents.RetireWorkspace(r.Context(), tx, ws.ID)
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ok)
}

type transferRequest struct {
	NewOwnerUserID int64 `json:"new_owner_user_id"`
}

func (a *API) transferOwnership(w http.ResponseWriter, r *http.Request) error {
	var req transferRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	if err := workspace.TransferOwnership(r.Context(), a.db, currentWorkspace(r), actor(r), req.NewOwnerUserID); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ok)
}
