package sender

import (
	"context"

	"github.com/slack-go/slack"
)

// MethodUsersList is the workspace directory's page reader (Slack tier 2).
const MethodUsersList = "users.list"

// UsersPage reads one page of users.list: up to limit members from cursor
// ("" for the first page), and the cursor of the next page, "" after the
// last. Each page waits on users.list's own limit, so a load of a large
// workspace paces itself instead of being refused.
func (s *Sender) UsersPage(ctx context.Context, cursor string, limit int) ([]slack.User, string, error) {
	c := call{method: MethodUsersList, desc: MethodUsersList}
	var page slack.UserPagination
	err := s.do(ctx, c, func(ctx context.Context) error {
		p := s.api.GetUsersPaginated(slack.GetUsersOptionLimit(limit), slack.GetUsersOptionCursor(cursor),
			slack.GetUsersOptionIncludeLocale(false))
		var err error
		page, err = p.Next(ctx)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return page.Users, page.Cursor, nil
}
