package ratelimit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"
)

// hangGuard bounds how long a test waits for something that should happen promptly. It is a guard against a hang,
// not a measure of speed.
const hangGuard = 10 * time.Second

func waitResult(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(hangGuard):
		t.Fatal("Wait did not return")
		return nil
	}
}

func TestWaitCancelledDuringPause(t *testing.T) {
	t.Parallel()
	p := New(rate.Inf, 1)
	p.Throttle(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Wait(ctx) }()

	select {
	case err := <-done:
		t.Fatalf("Wait returned %v during the pause, before the context was cancelled", err)
	case <-time.After(20 * time.Millisecond):
	}
	cancel()
	if err := waitResult(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want an error wrapping context.Canceled", err)
	}
}

func TestWaitCancelledDuringTokenWait(t *testing.T) {
	t.Parallel()
	p := New(rate.Every(time.Hour), 1)
	if err := p.Wait(context.Background()); err != nil {
		t.Fatalf("first Wait: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Wait(ctx) }()
	cancel()
	if err := waitResult(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want an error wrapping context.Canceled", err)
	}
}

// A wait that cannot end before the context's deadline fails at once, without sleeping until the deadline: the
// context is still alive when Wait returns.
func TestWaitOutlastingDeadlineFailsAtOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func() *Pacer
	}{
		{"pause longer than deadline", func() *Pacer {
			p := New(rate.Inf, 1)
			p.Throttle(time.Hour)
			return p
		}},
		{"pause longer than deadline, finite rate", func() *Pacer {
			p := New(100, 5)
			p.Throttle(time.Hour)
			return p
		}},
		{"token wait longer than deadline", func() *Pacer {
			p := New(rate.Every(time.Hour), 1)
			if err := p.Wait(context.Background()); err != nil {
				t.Fatalf("first Wait: %v", err)
			}
			return p
		}},
		{"longer pause kept over a shorter one", func() *Pacer {
			p := New(rate.Inf, 1)
			p.Throttle(time.Hour)
			p.Throttle(time.Millisecond)
			return p
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := tt.setup()
			ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
			defer cancel()
			err := p.Wait(ctx)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Wait = %v, want an error wrapping context.DeadlineExceeded", err)
			}
			if ctx.Err() != nil {
				t.Fatalf("Wait returned only when the context expired (%v); it should fail at once", ctx.Err())
			}
		})
	}
}

func TestWaitDoneContext(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	tests := []struct {
		name  string
		limit rate.Limit
		ctx   context.Context
		want  error
	}{
		{"cancelled, infinite rate", rate.Inf, cancelled, context.Canceled},
		{"cancelled, finite rate", 10, cancelled, context.Canceled},
		{"expired, infinite rate", rate.Inf, expired, context.DeadlineExceeded},
		{"expired, finite rate", 10, expired, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := New(tt.limit, 1).Wait(tt.ctx); !errors.Is(err, tt.want) {
				t.Fatalf("Wait = %v, want an error wrapping %v", err, tt.want)
			}
		})
	}
}

func TestThrottleHalvesRateDownToFloor(t *testing.T) {
	t.Parallel()
	const configured rate.Limit = 100
	p := New(configured, 1)
	var got []rate.Limit
	for range 7 {
		p.Throttle(0)
		got = append(got, p.Limit())
	}
	floor := configured * Floor
	want := []rate.Limit{50, 25, 12.5, 6.25, floor, floor, floor}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("limits after successive Throttles (-want +got):\n%s", diff)
	}
	if got := p.Throttles(); got != 7 {
		t.Errorf("Throttles() = %d, want 7", got)
	}
}

func TestSuccessRestoresGradually(t *testing.T) {
	t.Parallel()
	const configured rate.Limit = 100
	tests := []struct {
		throttles int
		want      []rate.Limit
	}{
		// From 25, twentieths of the configured rate land on it exactly.
		{2, []rate.Limit{30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100, 100, 100}},
		// From 12.5 they do not: the last step is cut at the configured rate.
		{3, []rate.Limit{17.5, 22.5, 27.5, 32.5, 37.5, 42.5, 47.5, 52.5, 57.5, 62.5, 67.5, 72.5, 77.5, 82.5, 87.5, 92.5, 97.5, 100, 100}},
	}
	for _, tt := range tests {
		p := New(configured, 1)
		for range tt.throttles {
			p.Throttle(0)
		}
		var got []rate.Limit
		for range tt.want {
			p.Success()
			got = append(got, p.Limit())
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("after %d Throttles, limits after successive Successes (-want +got):\n%s", tt.throttles, diff)
		}
	}
}

func TestSuccessWithoutThrottleKeepsRate(t *testing.T) {
	t.Parallel()
	p := New(40, 1)
	for range 5 {
		p.Success()
	}
	if got := p.Limit(); got != 40 {
		t.Errorf("Limit() = %v, want 40", got)
	}
}

func TestInfiniteRate(t *testing.T) {
	t.Parallel()
	p := New(rate.Inf, 1)
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	for i := range 10000 {
		if err := p.Wait(ctx); err != nil {
			t.Fatalf("Wait %d: %v", i, err)
		}
	}
	p.Throttle(0)
	p.Success()
	if got := p.Limit(); got != rate.Inf {
		t.Errorf("Limit() after Throttle and Success = %v, want rate.Inf", got)
	}
	if got := p.Throttles(); got != 1 {
		t.Errorf("Throttles() = %d, want 1", got)
	}
	if err := p.Wait(ctx); err != nil {
		t.Errorf("Wait after Throttle(0): %v", err)
	}
	if ctx.Err() != nil {
		t.Error("waits at an infinite rate lasted until the hang guard")
	}
}

func TestBurstBelowOneIsOne(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	if err := New(rate.Every(time.Hour), 0).Wait(ctx); err != nil {
		t.Fatalf("Wait with burst 0: %v, want the burst raised to 1", err)
	}
}

// Every waiter, whichever goroutine it is on, waits until the pause of a Throttle has ended.
func TestThrottlePausesEveryWaiter(t *testing.T) {
	t.Parallel()
	for _, limit := range []rate.Limit{rate.Inf, 1000} {
		t.Run(limit2name(limit), func(t *testing.T) {
			t.Parallel()
			const pause = 200 * time.Millisecond
			const waiters = 8
			p := New(limit, waiters)
			before := time.Now()
			p.Throttle(pause)
			earliestEnd := before.Add(pause) // the pause ends no earlier than this

			ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
			defer cancel()
			type result struct {
				err   error
				early bool
			}
			results := make(chan result, waiters)
			for range waiters {
				go func() {
					err := p.Wait(ctx)
					results <- result{err, time.Now().Before(earliestEnd)}
				}()
			}
			for range waiters {
				r := <-results
				if r.err != nil {
					t.Fatalf("Wait: %v", r.err)
				}
				if r.early {
					t.Error("a waiter returned before the Retry-After pause had ended")
				}
			}
		})
	}
}

func limit2name(l rate.Limit) string {
	if l == rate.Inf {
		return "infinite rate"
	}
	return "finite rate"
}

// Pacer is shared by every request of a client; run everything at once under -race.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	const configured rate.Limit = 1e6
	p := New(configured, 100)
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	const goroutines, rounds = 16, 50
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*rounds)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				if err := p.Wait(ctx); err != nil {
					errs <- err
					return
				}
				if g%4 == 0 {
					p.Throttle(0)
				} else {
					p.Success()
				}
				if l := p.Limit(); l < configured*Floor || l > configured {
					errs <- errors.New("limit outside [floor, configured]")
				}
				_ = p.Throttles()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got, want := p.Throttles(), goroutines/4*rounds; got != want {
		t.Errorf("Throttles() = %d, want %d", got, want)
	}
}
