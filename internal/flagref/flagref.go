// Package flagref reads a command-line value that names an OnCall resource as OnCall hands it out: an id, or the
// resource's URL. The examples share it.
package flagref

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/oncallsync/oncall-go/oncall"
)

// Resolve reads what names a resource of kind ("divisions", "providers"): a positive id, or the resource's URL on
// the client's own host (a URL of the other region, or another server, is refused). With no client (a fake, which
// makes its own resources) only an id is taken. what names the flag or file in errors.
func Resolve(client *oncall.Client, what, kind, s string) (int64, error) {
	s = strings.TrimSpace(s)
	singular := strings.TrimSuffix(kind, "s")
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("%s: %d is not a %s id: want a positive integer or the %s's URL", what, n, singular, singular)
		}
		return n, nil
	}
	if client == nil {
		return 0, fmt.Errorf("%s: want a %s id (a positive integer)", what, singular)
	}
	ref, err := client.ParseRef(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	if ref.Kind != kind {
		return 0, fmt.Errorf("%s: the URL names a %s, not a %s", what, strings.TrimSuffix(ref.Kind, "s"), singular)
	}
	return ref.ID, nil
}
