package agentsock_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/store"
	"github.com/netwatcher/netwatcher/controller/testenv"
	"github.com/netwatcher/netwatcher/protocol"
)

// A queued speed test that outlives its 15 minutes is never handed to the
// agent, and operators see it as expired.
func TestOverdueSpeedTestIsNotHandedOutAndShowsExpired(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite)
	f := newFleet(t, env, 1)
	a := f.agents[0]
	item := env.Call("POST", a.Path("speedtest-queue"), f.owner.Token, map[string]any{"server_id": "4242"}, http.StatusCreated).Map(t)

	// The API allows no shorter lifetime; age the item in the database.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := store.Open(ctx, env.Config.DatabaseURL, env.Config.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `UPDATE speedtest_queue SET expires_at = ? WHERE id = ?`,
		time.Now().Add(-time.Second).UnixMilli(), int64(item["id"].(float64))); err != nil {
		t.Fatal(err)
	}

	conn := env.ConnectAgent(a)
	var handed []map[string]any
	if err := json.Unmarshal(conn.MustAsk(protocol.EventSpeedtestQueueGet, []byte(`{}`)).Body, &handed); err != nil || len(handed) != 0 {
		t.Fatalf("overdue test handed out: %v (%v)", handed, err)
	}
	listed := env.Call("GET", a.Path("speedtest-queue"), f.owner.Token, nil, http.StatusOK).Map(t)
	if data, _ := listed["data"].([]any); len(data) != 1 || data[0].(map[string]any)["status"] != "expired" {
		t.Fatalf("queue after expiry: %v", listed)
	}
}
