// Command sync is the SDK's main job. Until the syncer lands it is a small demonstration: it starts a local
// server that answers like the OnCall API, and lists its appointments through the real client, page by page.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
)

const token = "demo-token"

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "sync:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	srv := httptest.NewServer(demoAPI())
	defer srv.Close()
	client, err := oncall.NewClient(oncall.RegionCA, token, oncall.WithBaseURL(srv.URL))
	if err != nil {
		return err
	}
	opts := &oncall.AppointmentListOptions{ListOptions: oncall.ListOptions{PageSize: 2}}
	n := 0
	for appt, err := range client.Appointments.All(ctx, opts) {
		if err != nil {
			return err
		}
		n++
		emr, _ := appt.Metadata.String("emr_id")
		fmt.Printf("%-4d %s  %3d min  %-8s emr_id=%s\n", appt.ID, appt.DateTime.Format(time.RFC3339), appt.Duration, appt.Type, emr)
	}
	fmt.Printf("%d appointments listed\n", n)
	return nil
}

// demoAPI answers GET /appointments/ like the OnCall API: token auth and page-number pagination.
func demoAPI() http.Handler {
	start := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Token "+token {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"detail":"Authentication credentials were not provided."}`)
			return
		}
		if r.URL.Path != "/appointments/" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"detail":"Not found."}`)
			return
		}
		const total = 5
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		page, size = max(page, 1), max(size, 1)
		base := "http://" + r.Host
		var results []map[string]any
		for i := (page - 1) * size; i < min(page*size, total); i++ {
			results = append(results, map[string]any{
				"url":      fmt.Sprintf("%s/appointments/%d/", base, 100+i),
				"title":    "Counselling",
				"datetime": start.Add(time.Duration(i) * 24 * time.Hour).Format(time.RFC3339),
				"duration": 50, "type": "online", "cancelled": false,
				"division":     base + "/divisions/1/",
				"participants": []any{},
				"metadata":     map[string]any{"emr_id": fmt.Sprintf("CL-%d", 5000+i)},
			})
		}
		var next any
		if page*size < total {
			next = fmt.Sprintf("%s/appointments/?page=%d&page_size=%d", base, page+1, size)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"count": total, "next": next, "previous": nil, "results": results})
	})
}
