package coach_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
)

// pullingCRM is a CRM that pulls deals, with none to give: the deals a
// pull found are put in the store by the test.
type pullingCRM struct{}

func (pullingCRM) Name() string { return "HubSpot" }
func (pullingCRM) SyncDeals(_ context.Context, deals []coach.Deal) []coach.SyncResult {
	return make([]coach.SyncResult, len(deals))
}
func (pullingCRM) PullDeals(context.Context, []string, []string) ([]coach.PulledDeal, error) {
	return nil, nil
}

// readsTogether answers a pipeline read only once the read of the deals
// found in the CRM has begun: a view that read them one after the other
// fails (after readsTogetherBound) instead of answering.
type readsTogether struct {
	*coachtest.MemStore
	once     sync.Once
	crmBegun chan struct{}
}

const readsTogetherBound = 5 * time.Second

func (s *readsTogether) Lookup(ctx context.Context, key string) (string, bool, error) {
	if strings.HasPrefix(key, "crmdeals/") {
		s.once.Do(func() { close(s.crmBegun) })
	}
	return s.MemStore.Lookup(ctx, key)
}

func (s *readsTogether) ProspectsOf(ctx context.Context, team, owner string) ([]coach.Prospect, error) {
	if err := s.awaitCRMRead(); err != nil {
		return nil, err
	}
	return s.MemStore.ProspectsOf(ctx, team, owner)
}

func (s *readsTogether) ProspectsOfSince(ctx context.Context, team, owner string, since time.Time) ([]coach.Prospect, error) {
	if err := s.awaitCRMRead(); err != nil {
		return nil, err
	}
	return s.MemStore.ProspectsOfSince(ctx, team, owner, since)
}

func (s *readsTogether) awaitCRMRead() error {
	select {
	case <-s.crmBegun:
		return nil
	case <-time.After(readsTogetherBound):
		return errors.New("the pipeline was read before the deals found in the CRM, not beside them")
	}
}

// A rep's view reads their pipeline and the deals found in the CRM side by
// side, so its answer waits for one round trip, not two; and it still
// leaves out a deal already taken in. A rep on a team has only their recent
// deals read, one on none all of them: both read beside the CRM's.
func TestRepViewReadsTheCRMsDealsBesideThePipeline(t *testing.T) {
	for _, onTeam := range []bool{false, true} {
		t.Run(fmt.Sprintf("on a team %v", onTeam), func(t *testing.T) { testRepViewReadsBeside(t, onTeam) })
	}
}

func testRepViewReadsBeside(t *testing.T, onTeam bool) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	if onTeam {
		if err := f.store.SaveTeam(ctx, coach.Team{Workspace: "T1", Manager: "UM", Reps: []string{"U1"}, Version: 1}); err != nil {
			t.Fatal(err)
		}
	}
	p := f.log(t, bdate(11, 24, 10, 0))
	p.CRM.ID, p.Version = "D-taken", p.Version+1
	if err := f.store.Save(ctx, p); err != nil {
		t.Fatal(err)
	}
	found, _ := json.Marshal([]coach.PulledDeal{{ID: "D-taken", Name: "Acme"}, {ID: "D-new", Name: "Globex"}})
	if err := f.store.Record(ctx, coach.UnconfirmedKey("T1", "U1"), string(found), time.Hour); err != nil {
		t.Fatal(err)
	}
	svc := coach.NewService(&readsTogether{MemStore: f.store, crmBegun: make(chan struct{})}, f.notify, f.clock, coach.DefaultTiming)
	svc.CRM = pullingCRM{}

	v, err := svc.RepView(ctx, "T1", "U1")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.InCRM) != 1 || v.InCRM[0].ID != "D-new" || v.CRMName != "HubSpot" {
		t.Errorf("InCRM = %+v (%s); want only D-new, the deal not taken in", v.InCRM, v.CRMName)
	}
}
