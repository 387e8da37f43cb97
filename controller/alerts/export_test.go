package alerts

import (
	"context"

	"github.com/netwatcher/netwatcher/controller/probedata"
)

// Evaluate runs one committed batch synchronously, as Run does for each
// batch OnCommit queues.
func (s *Service) Evaluate(ctx context.Context, rows []probedata.Row) { s.evaluate(ctx, rows) }

// Periodic runs the once-a-minute work synchronously.
func (s *Service) Periodic(ctx context.Context) { s.periodic(ctx) }
