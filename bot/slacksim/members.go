package slacksim

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// SlackLimits are Slack's published limits for every method the bot calls,
// per app per workspace: a sustained rate per minute by tier, and a burst
// of a quarter of a minute's worth on top ("occasional bursts" in tier 2,
// "generous" in tier 4; Slack publishes no figure, this is the floor the
// simulator holds a bot to). chat.postMessage is Slack's special tier: one
// a second per channel with short bursts; its workspace-wide limit has no
// published figure, and is left out.
func SlackLimits() RateLimits {
	tiers := map[string]int{
		"users.list":         20,  // tier 2
		"chat.update":        50,  // tier 3
		"conversations.open": 50,  // tier 3
		"dnd.info":           50,  // tier 3
		"users.info":         100, // tier 4
		"chat.postEphemeral": 100, // tier 4
		"views.open":         100, // tier 4
		"views.update":       100, // tier 4
		"views.push":         100, // tier 4
		"views.publish":      100, // tier 4
	}
	burst := map[string]int{}
	for m, n := range tiers {
		burst[m] = max(1, n/4)
	}
	return RateLimits{PostPerChannelPerSecond: 1, PostBurst: 3, TierPerMinute: tiers, TierBurst: burst}
}

// MinTime is the least time n calls of method can take under limits: the
// burst goes at once, the rest at the sustained rate. Zero for a method
// without a limit.
func (l RateLimits) MinTime(method string, n int) time.Duration {
	perMin := l.TierPerMinute[method]
	if perMin <= 0 {
		return 0
	}
	burst := perMin
	if b := l.TierBurst[method]; b > 0 {
		burst = b
	}
	if n <= burst {
		return 0
	}
	return time.Duration(float64(n-burst) / float64(perMin) * float64(time.Minute))
}

// userJSON is a member as users.info and users.list report it. Callers hold s.mu.
func (s *Server) userJSON(u *User) map[string]any {
	tz := u.TZ
	if tz == "" {
		tz = "UTC"
	}
	label, offset := "UTC", 0
	if loc, err := time.LoadLocation(tz); err == nil {
		label, offset = s.cfg.now().In(loc).Zone()
	}
	status := s.statuses[u.ID]
	profile := map[string]any{
		"real_name": u.RealName, "display_name": u.Name,
		"status_emoji": status[0], "status_text": status[1], "status_expiration": s.statusUntil[u.ID],
	}
	if u.Email != "" { // Slack leaves it out for a profile without one
		profile["email"] = u.Email
	}
	return map[string]any{
		"id": u.ID, "team_id": s.cfg.teamID, "name": u.Name, "real_name": u.RealName,
		"tz": tz, "tz_label": label, "tz_offset": offset, "is_admin": u.IsAdmin, "is_bot": u.IsBot,
		"deleted": u.Deleted, "updated": u.Updated,
		"profile": profile,
	}
}

// usersList answers users.list: members in id order, limit at a time
// (Slack's default and most is 1000 here; it advises 200), with an opaque
// cursor to the next page.
func (s *Server) usersList(req *apiRequest) apiResult {
	limit, _ := strconv.Atoi(req.str("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	after := ""
	if c := req.str("cursor"); c != "" {
		id, ok := cutCursor(c)
		if !ok {
			return fail("invalid_cursor")
		}
		after = id
	}
	ids := make([]string, 0, len(s.users))
	for id := range s.users {
		if id > after {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	next := ""
	if len(ids) > limit {
		ids = ids[:limit]
		next = "dXNlcjo" + ids[limit-1]
	}
	members := make([]map[string]any, len(ids))
	for i, id := range ids {
		members[i] = s.userJSON(s.users[id])
	}
	s.usersListed++
	return ok(map[string]any{"members": members, "cache_ts": s.cfg.now().Unix(),
		"response_metadata": map[string]any{"next_cursor": next}})
}

func cutCursor(c string) (string, bool) {
	const prefix = "dXNlcjo"
	if len(c) <= len(prefix) || c[:len(prefix)] != prefix {
		return "", false
	}
	return c[len(prefix):], true
}

// Join adds a member as Slack does when someone joins the workspace: the
// member is listed from now on, and the bot hears team_join.
func (s *Server) Join(ctx context.Context, u User) (Ack, error) {
	return s.memberEvent(ctx, "team_join", u)
}

// ChangeUser changes a member (their zone, their name, deactivation with
// Deleted) and the bot hears user_change.
func (s *Server) ChangeUser(ctx context.Context, u User) (Ack, error) {
	return s.memberEvent(ctx, "user_change", u)
}

func (s *Server) memberEvent(ctx context.Context, typ string, u User) (Ack, error) {
	s.mu.Lock()
	u.Updated = max(s.cfg.now().Unix(), u.Updated)
	if old, ok := s.users[u.ID]; ok && u.Updated <= old.Updated {
		u.Updated = old.Updated + 1 // Slack's "updated" moves on with every change
	}
	s.users[u.ID] = &u
	env := s.event(map[string]any{"type": typ, "user": s.userJSON(&u), "event_ts": s.nextTS(), "cache_ts": u.Updated})
	s.broadcast()
	s.mu.Unlock()
	return s.deliver(ctx, env)
}

// UsersListed counts the users.list pages served.
func (s *Server) UsersListed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usersListed
}

// SetRateLimits turns rate limiting on (or changes it) after the start,
// for a benchmark that sets the scene unlimited.
func (s *Server) SetRateLimits(l RateLimits) {
	s.limiter.Store(newLimiter(l))
}

// SetStatus sets a member's Slack status (until a time; zero for until
// changed), and the bot hears user_change, as Slack tells apps of a
// status change. SetUserStatus and SetStatusExpiration change it without
// telling: an event the bot missed.
func (s *Server) SetStatus(ctx context.Context, userID, emoji, text string, until time.Time) (Ack, error) {
	s.mu.Lock()
	u, ok := s.users[userID]
	if !ok {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("slacksim: no member %s", userID)
	}
	s.statuses[userID] = [2]string{emoji, text}
	if until.IsZero() {
		delete(s.statusUntil, userID)
	} else {
		s.statusUntil[userID] = until.Unix()
	}
	changed := *u
	s.mu.Unlock()
	return s.ChangeUser(ctx, changed)
}
