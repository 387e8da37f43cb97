package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// panelWatchers are browser-style panel sockets subscribed to every probe
// of the fleet's workspace, so a run measures what panel fan-out costs
// ingest.
type panelWatchers struct {
	received atomic.Int64 // probe_data messages
	dropped  atomic.Int64 // sockets the controller closed during the run
	closing  atomic.Bool
	conns    []*websocket.Conn
	wg       sync.WaitGroup
}

var probeDataPrefix = []byte(`{"type":"probe_data"`)

// watchPanels connects n panel sockets with the fleet owner's token; they
// read until ctx ends or close is called.
func watchPanels(ctx context.Context, f Fleet, n int) (*panelWatchers, error) {
	w := &panelWatchers{}
	if n > 0 && f.Token == "" {
		return nil, fmt.Errorf("the cached fleet has no owner token for --panels: run once with --state \"\"")
	}
	u := "ws" + strings.TrimPrefix(strings.TrimSuffix(f.URL, "/"), "http") + "/ws/panel?token=" + url.QueryEscape(f.Token)
	subscribe := fmt.Appendf(nil, `{"type":"subscribe","workspace_id":%d,"probe_id":0}`, f.WorkspaceID)
	for range n {
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		c, _, err := websocket.Dial(dctx, u, nil)
		if err == nil {
			err = c.Write(dctx, websocket.MessageText, subscribe)
		}
		cancel()
		if err != nil {
			w.close()
			return nil, fmt.Errorf("panel socket: %w", err)
		}
		c.SetReadLimit(1 << 20)
		w.conns = append(w.conns, c)
		w.wg.Go(func() { w.read(ctx, c) })
	}
	return w, nil
}

func (w *panelWatchers) read(ctx context.Context, c *websocket.Conn) {
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			if ctx.Err() == nil && !w.closing.Load() {
				w.dropped.Add(1)
			}
			return
		}
		if bytes.HasPrefix(data, probeDataPrefix) {
			w.received.Add(1)
		}
	}
}

// close disconnects the sockets and waits for their readers.
func (w *panelWatchers) close() {
	w.closing.Store(true)
	for _, c := range w.conns {
		c.CloseNow()
	}
	w.wg.Wait()
}
