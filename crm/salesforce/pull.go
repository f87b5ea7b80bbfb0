package salesforce

import (
	"context"
	"fmt"
	"time"

	"pipelinecoach/coach"
)

// PullDeals returns the open opportunities owned by the users with these
// emails, and the opportunities with these ids, open or not.
func (s *Sink) PullDeals(ctx context.Context, ownerEmails, ids []string) ([]coach.PulledDeal, error) {
	fields := "Id, Name, Amount, CloseDate, StageName, IsClosed, IsWon, OwnerId, CreatedDate, " + IDField
	if s.MultiCurrency {
		fields += ", CurrencyIsoCode"
	}
	emailOf := map[string]string{}
	var owners []string
	for start := 0; start < len(ownerEmails); start += MaxBatch {
		rows, err := s.c.Query(ctx, "SELECT Id, Email FROM User WHERE Email IN "+QuoteList(ownerEmails[start:min(start+MaxBatch, len(ownerEmails))]))
		if err != nil {
			return nil, fmt.Errorf("find Salesforce users: %w", err)
		}
		for _, r := range rows {
			emailOf[r.String("Id")] = r.String("Email")
			owners = append(owners, r.String("Id"))
		}
	}
	var rows []Record
	for start := 0; start < len(owners); start += MaxBatch {
		got, err := s.c.Query(ctx, "SELECT "+fields+" FROM Opportunity WHERE IsClosed = false AND OwnerId IN "+QuoteList(owners[start:min(start+MaxBatch, len(owners))]))
		if err != nil {
			return nil, fmt.Errorf("query open opportunities: %w", err)
		}
		rows = append(rows, got...)
	}
	for start := 0; start < len(ids); start += MaxBatch {
		got, err := s.c.Query(ctx, "SELECT "+fields+" FROM Opportunity WHERE Id IN "+QuoteList(ids[start:min(start+MaxBatch, len(ids))]))
		if err != nil {
			return nil, fmt.Errorf("query linked opportunities: %w", err)
		}
		rows = append(rows, got...)
	}
	seen := map[string]bool{}
	var out []coach.PulledDeal
	for _, r := range rows {
		id := r.String("Id")
		if seen[id] {
			continue
		}
		seen[id] = true
		d := coach.PulledDeal{ID: id, Key: r.String(IDField), Name: r.String("Name"), Currency: r.String("CurrencyIsoCode"),
			OwnerEmail: emailOf[r.String("OwnerId")], Stage: coach.DealOpen}
		if a, ok := r["Amount"].(float64); ok {
			d.Amount = int64(a)
		}
		d.CloseDate, _ = time.Parse("2006-01-02", r.String("CloseDate"))
		d.CreatedAt, _ = time.Parse("2006-01-02T15:04:05.000-0700", r.String("CreatedDate"))
		if r["IsClosed"] == true {
			d.Stage = coach.DealLost
			if r["IsWon"] == true {
				d.Stage = coach.DealWon
			}
		}
		out = append(out, d)
	}
	return out, nil
}
