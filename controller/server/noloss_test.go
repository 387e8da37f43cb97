package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/netwatcher/netwatcher/controller/config"
	"github.com/netwatcher/netwatcher/controller/testenv"
	"github.com/netwatcher/netwatcher/protocol"
	"github.com/netwatcher/netwatcher/protocol/neffos"
)

// TestNoAcknowledgedResultIsLost posts results from many agents, the way
// our agent does (a uid per result, a unique wait per request, resent
// until acknowledged), while the
// probe-data database is repeatedly locked by another writer, so inserts
// stall and the small ingest queue fills. Every acknowledged result must be
// stored exactly once. NETWATCHER_NOLOSS_RESULTS scales the run (default
// 100,000 results from 50 agents).
func TestNoAcknowledgedResultIsLost(t *testing.T) {
	total := 100_000
	if v := os.Getenv("NETWATCHER_NOLOSS_RESULTS"); v != "" {
		total, _ = strconv.Atoi(v)
	}
	const agents, window = 50, 64
	env := testenv.Start(t, testenv.SQLite, func(c *config.Config) {
		c.AgentTuning = config.AgentTuning{QueueSize: 2000, BatchSize: 500, Wait: 200 * time.Millisecond}
	})
	owner := env.NewUser()
	ws := env.NewWorkspace(owner, "no loss")
	conns := make([]*neffos.Client, agents)
	probeIDs := make([]int64, agents)
	for i := range conns {
		a := env.NewAgent(owner.Token, ws, fmt.Sprintf("agent-%d", i))
		env.Bootstrap(&a)
		p := env.CreateProbe(owner.Token, a, map[string]any{"type": "PING", "targets": []string{"192.0.2.1"}})
		probeIDs[i] = int64(p["id"].(float64))
		h := http.Header{}
		for k, v := range a.Headers() {
			h.Set(k, v)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := neffos.Dial(ctx, env.WSURL(), h, protocol.NamespaceAgent, nil)
		cancel()
		if err != nil {
			t.Fatalf("agent %d: %v", i, err)
		}
		t.Cleanup(func() { c.Close() })
		conns[i] = c
	}

	// Another writer holds the probe-data database's write lock on and off.
	stop := make(chan struct{})
	locker := make(chan struct{})
	go func() {
		defer close(locker)
		lockRepeatedly(t, filepath.Join(env.Config.DataDir, "probedata.db"), stop)
	}()

	var resent int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	per := total / agents
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots := make(chan struct{}, window)
			var inner sync.WaitGroup
			for n := 0; n < per; n++ {
				slots <- struct{}{}
				inner.Add(1)
				go func() {
					defer inner.Done()
					defer func() { <-slots }()
					body, _ := json.Marshal(protocol.ProbeData{ProbeID: probeIDs[i], Type: protocol.TypePing, Target: "192.0.2.1",
						CreatedAt: time.Now().UTC(), UID: fmt.Sprintf("%d-%d", i, n),
						Payload: json.RawMessage(`{"packets_sent":10,"packets_recv":10,"packet_loss":0,"avg_rtt":1000000}`)})
					for attempt := 0; ; attempt++ {
						ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
						reply, err := c.Ask(ctx, neffos.Message{Namespace: protocol.NamespaceAgent, Event: protocol.EventProbePost, Body: body})
						cancel()
						if err == nil && !reply.IsError {
							return
						}
						mu.Lock()
						resent++
						mu.Unlock()
						if attempt > 100 {
							t.Errorf("result %d-%d never acknowledged", i, n)
							return
						}
						time.Sleep(50 * time.Millisecond)
					}
				}()
			}
			inner.Wait()
		}()
	}
	wg.Wait()
	close(stop)
	<-locker

	rows, distinct := countResults(t, filepath.Join(env.Config.DataDir, "probedata.db"))
	t.Logf("%d results acknowledged, %d posts were refused and resent", per*agents, resent)
	if rows != per*agents || distinct != per*agents {
		t.Fatalf("stored %d rows with %d distinct uids, want %d of each", rows, distinct, per*agents)
	}
}

// lockRepeatedly takes the database's write lock for 150 ms every 350 ms
// until stop closes.
func lockRepeatedly(t *testing.T, path string, stop <-chan struct{}) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		t.Errorf("open %s: %v", path, err)
		return
	}
	defer db.Close()
	for {
		select {
		case <-stop:
			return
		case <-time.After(200 * time.Millisecond):
		}
		tx, err := db.BeginTx(context.Background(), nil)
		if err != nil {
			t.Errorf("lock probe data: %v", err)
			return
		}
		time.Sleep(150 * time.Millisecond)
		_ = tx.Rollback()
	}
}

func countResults(t *testing.T, path string) (rows, distinct int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT uid) FROM probe_data WHERE type = 'PING'`).Scan(&rows, &distinct); err != nil {
		t.Fatalf("count stored results: %v", err)
	}
	return rows, distinct
}
