package api

import (
	"encoding/json"
	"net/http"

	"github.com/netwatcher/netwatcher/controller/workspace"
)

func (a *API) listMembers(w http.ResponseWriter, r *http.Request) error {
	members, err := workspace.Members(r.Context(), a.db, currentWorkspace(r).ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[workspace.Member]{Data: members})
}

type inviteRequest struct {
	UserID int64           `json:"user_id"`
	Email  string          `json:"email"`
	Role   string          `json:"role"`
	Meta   json.RawMessage `json:"meta"`
}

func (a *API) addMember(w http.ResponseWriter, r *http.Request) error {
	var req inviteRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	m, err := workspace.AddMember(r.Context(), a.db, currentWorkspace(r).ID,
		workspace.Invite{UserID: req.UserID, Email: req.Email, Role: req.Role, Meta: req.Meta})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, m)
}

type memberRoleRequest struct {
	Role string `json:"role"`
}

func (a *API) updateMember(w http.ResponseWriter, r *http.Request) error {
	memberID, err := pathID(r, "memberId")
	if err != nil {
		return err
	}
	var req memberRoleRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	m, err := workspace.SetMemberRole(r.Context(), a.db, currentWorkspace(r).ID, actor(r), memberID, req.Role)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

func (a *API) removeMember(w http.ResponseWriter, r *http.Request) error {
	memberID, err := pathID(r, "memberId")
	if err != nil {
		return err
	}
	if err := workspace.RemoveMember(r.Context(), a.db, currentWorkspace(r).ID, actor(r), memberID); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ok)
}

type acceptRequest struct {
	Email string `json:"email"`
}

// acceptInvite is open to any authenticated user: the caller is, by
// definition, not yet a member of the workspace.
func (a *API) acceptInvite(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req acceptRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	m, err := workspace.AcceptInvite(r.Context(), a.db, id, session(r).User, req.Email)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}
