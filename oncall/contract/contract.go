package contract

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
)

// DefaultEmail is the invitee of the test appointment unless Config.Email names another. example.com is reserved
// (RFC 2606) and never receives mail, so the invitations OnCall sends go nowhere.
const DefaultEmail = "oncall-go-contract@example.com"

// DefaultMaxAppointments is how many listed appointments a run decodes unless Config.MaxAppointments says otherwise.
const DefaultMaxAppointments = 500

// Config says what to check and where.
type Config struct {
	// Client is the client under test: its region, base URL, auth scheme and token. Required.
	Client *oncall.Client
	// Division is the division the test appointment is created in. Required for writes; when set, the division
	// check reads it.
	Division oncall.DivisionID
	// Provider is the provider of the test appointment. Optional for a provider's token (OnCall defaults to the
	// token's user); a coordinator's token needs one to create.
	Provider oncall.ProviderID
	// Write turns on the write checks: one appointment is created, changed and cancelled. Off, the default, the run
	// only reads.
	Write bool
	// Email is the invitee of the test appointment; "" means DefaultEmail. A second and a third participant are
	// invited at the same address with "+2" and "+3" before the @.
	Email string
	// MaxAppointments is how many listed appointments to decode; 0 means DefaultMaxAppointments.
	MaxAppointments int
	// Now is the clock the test appointment's time is taken from; nil means time.Now.
	Now func() time.Time
}

// Run checks the API cfg.Client talks to and returns a verdict for every assumption.
//
// Its error is for a run that could not go on: a nil client or an invalid Config, a token refused (401: the auth
// check is then the Result's last), an API that never answered the first request, or ctx ending. With an error
// after the run began, the Result holds the checks made so far; anything the run created has been cancelled with a
// context of its own, and write.cancel says so. An assumption that did not hold is not an error: see
// Result.Failed.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if ctx == nil {
		return nil, errors.New("contract: nil context")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	r := newRun(cfg)
	if err := r.reads(ctx); err != nil {
		return r.res, err
	}
	if !cfg.Write {
		r.skip(writeIDs(), "read-only: set Config.Write to run")
		return r.res, nil
	}
	werr := r.writes(ctx)
	r.cleanup(ctx)
	if werr != nil {
		return r.res, werr
	}
	return r.res, nil
}

func (c Config) withDefaults() (Config, error) {
	if c.Client == nil {
		return c, errors.New("contract: Config.Client is nil")
	}
	if c.Write && c.Division <= 0 {
		return c, errors.New("contract: Config.Division is required for writes")
	}
	if c.Division < 0 || c.Provider < 0 {
		return c, errors.New("contract: Config.Division and Config.Provider must not be negative")
	}
	if c.MaxAppointments < 0 {
		return c, errors.New("contract: Config.MaxAppointments must not be negative")
	}
	if c.MaxAppointments == 0 {
		c.MaxAppointments = DefaultMaxAppointments
	}
	if c.Email == "" {
		c.Email = DefaultEmail
	}
	// The address is not echoed: errors, like Details, hold no email.
	if at := strings.LastIndexByte(c.Email, '@'); at <= 0 || at == len(c.Email)-1 || strings.ContainsAny(c.Email, " \t\r\n") {
		return c, errors.New("contract: Config.Email is not an email address")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

// run is one run of the suite.
type run struct {
	cfg   Config
	c     *oncall.Client
	res   *Result
	w     *writer
	runID string
	// seen is what the listing showed, for the checks on fields.
	seen observations
	// unconfirmed reports a create that may have created the test appointment without an answer showing it: the
	// clean-up looks for it by the run id.
	unconfirmed bool
}

func newRun(cfg Config) *run {
	res := &Result{}
	return &run{
		cfg: cfg,
		c:   cfg.Client,
		res: res,
		w:   newWriter(cfg.Client, res),
		// The run id marks the test appointment's metadata, so that one whose create got no answer can be found, and
		// so that a person can find it too. It holds no secret: a time and a random tag.
		runID: cfg.Now().UTC().Format("20060102T150405Z") + "-" + strings.ToLower(rand.Text()[:8]),
	}
}

// record appends a verdict.
func (r *run) record(id string, o Outcome, format string, args ...any) {
	r.res.Checks = append(r.res.Checks, Check{ID: id, Assumption: assumption(id), Outcome: o, Detail: fmt.Sprintf(format, args...)})
}

// skip records every check in ids as Skipped, with the same detail.
func (r *run) skip(ids []string, detail string) {
	for _, id := range ids {
		r.record(id, Skipped, "%s", detail)
	}
}

// interrupted returns the error a run ends with when ctx ends.
func interrupted(ctx context.Context) error {
	return fmt.Errorf("contract: run interrupted: %w", ctx.Err())
}
