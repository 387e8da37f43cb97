package panelsock_test

import (
	"testing"
	"time"

	"github.com/netwatcher/netwatcher/controller/config"
	"github.com/netwatcher/netwatcher/controller/testenv"
)

const allowedOrigin = "https://panel.example"

type scenario struct {
	name string
	fn   func(*testing.T, *testenv.Env)
}

// runOn runs scenarios in parallel on one controller per backend.
func runOn(t *testing.T, scenarios []scenario, opts ...testenv.Option) {
	testenv.ForEachBackend(t, func(t *testing.T, env *testenv.Env) {
		for _, s := range scenarios {
			t.Run(s.name, func(t *testing.T) {
				t.Parallel()
				s.fn(t, env.For(t))
			})
		}
	}, opts...)
}

func TestPanelSocket(t *testing.T) {
	runOn(t, []scenario{
		{"auth variants", testAuthVariants},
		{"refused before upgrade", testRefusedBeforeUpgrade},
		{"session end closes", testSessionEndCloses},
		{"delivery", testDelivery},
		{"isolation", testIsolation},
		{"bad messages", testBadMessages},
		{"member removed", testMemberRemoved},
		{"workspace deleted", testWorkspaceDeleted},
		{"speedtest update", testSpeedtestUpdate},
	}, testenv.WithAllowedOrigins(allowedOrigin), testenv.WithPanelTuning(config.PanelTuning{Recheck: 300 * time.Millisecond}))
}

// TestSlowClientDropped uses a small backlog, but one that holds a burst:
// a committed batch of the concurrent posters arrives at once.
func TestSlowClientDropped(t *testing.T) {
	runOn(t, []scenario{{"slow client dropped", testSlowClientDropped}},
		testenv.WithPanelTuning(config.PanelTuning{Backlog: 2 << 20}))
}

func TestUnresponsiveClientClosed(t *testing.T) {
	runOn(t, []scenario{{"unresponsive client closed", testUnresponsiveClosed}},
		testenv.WithPanelTuning(config.PanelTuning{Ping: 200 * time.Millisecond}))
}
