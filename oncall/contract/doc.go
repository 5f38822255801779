// Package contract checks a live OnCall Health API against the assumptions the oncall package makes where
// OnCall's documentation is silent, and says which of them held.
//
// The client follows the likeliest reading of OnCall's public material (see the oncall package's undocumented.go),
// and the fake server in oncall/oncalltest follows the client; tests against the fake alone prove nothing about
// those readings. Run points the same checks at a real account: the auth scheme, the listing envelope, page_size,
// pagination, decoding, which fields appointments and participants carry, what "cancellation" holds, webhook URLs,
// every documented write, and the undocumented participant endpoints.
//
//	client, err := oncall.NewClient(oncall.RegionCA, token)
//	// ...
//	res, err := contract.Run(ctx, contract.Config{Client: client, Division: 123})
//	if err != nil {
//		return err // the suite could not run: the token was refused, or ctx ended
//	}
//	res.WriteText(os.Stdout)
//
// From a checkout, the same suite runs as a test: with ONCALL_CONTRACT_TOKEN set, TestContract runs it against the
// real API and logs the table (go test -v); without it, it runs against oncalltest servers.
//
//	ONCALL_CONTRACT_TOKEN=... ONCALL_CONTRACT_REGION=ca ONCALL_CONTRACT_DIVISION=123 \
//	    go test ./oncall/contract -run 'TestContract$' -v
//
// # Read-only by default
//
// Without Config.Write the suite only reads: one listing of appointments (a first page, a page of two, then up to
// Config.MaxAppointments appointments), and the division. With it, the suite creates one appointment of its own in
// Config.Division, about 30 days ahead, titled "oncall-go contract test" and marked with the run's id in its
// metadata ("oncall_go_contract"); invites Config.Email (by default an example.com address, which never receives
// mail), then the same address with "+2" and "+3" before the @; changes it one field at a time; probes the
// participant extension on it; and cancels it at the end, whatever happened before, the context ending included.
//
// The suite writes only to the appointment it created in the run, and to participants found on it: every write
// passes a guard that refuses any other id. It never sets a status that may charge a fee ("Complete", "No show").
//
// # Checks
//
// Each Check has a stable ID and one Outcome: Held, Failed, Unknown (the answers could not tell) or Skipped (not
// run: read-only mode, an earlier step it needs did not happen, or nothing to check). Details name counts, statuses,
// field names, hosts, and the ids of what the run created; never a name, an email, a token, a reason text or a
// response body.
//
//	auth                            a first page of appointments is answered with the client's auth scheme
//	envelope                        the page is {count, next, previous, results}, consistently
//	page_size                       page_size=2 gives at most 2 results, and a next link when there are more
//	pagination                      next links reach the count (or MaxAppointments), on the API's origin, no cycle
//	decode                          every appointment listed decodes; the types and statuses seen
//	appointment.status              listed appointments carry a status
//	appointment.provider            listed appointments carry a provider
//	appointment.cancellation        a cancelled appointment's "cancellation" is a URL, not text (classified only)
//	participant.status              participants carry a "status" (the participant extension's field)
//	webhook.url                     appointment URLs are on the API host; oncall/webhook reads them on .com
//	division                        GET of Config.Division answers
//	create                          POST /appointments/ creates the test appointment, every field as sent
//	write.title, write.datetime,    a PATCH of that field alone takes (and, when a create did not apply a field,
//	write.duration, write.type,     write.<field> says so)
//	write.metadata
//	write.participants.add          a PATCH of the participants list adds someone
//	write.participants.withdraw     ... withdraws them ("cancelled": true)
//	write.participants.remove       ... removes them (left out of the list)
//	extension.participants.create   the undocumented POST /participants/ exists (Failed on the documented API)
//	extension.participants.status   the undocumented participant "status" can be written
//	extension.participants.delete   the undocumented DELETE /participants/{id}/ removes a participant
//	write.cancel                    the test appointment is cancelled: "cancelled" true, status "Provider cancelled"
//
// Failed is a verdict on an assumption, not necessarily a fault: on a server that is exactly the documented API,
// extension.participants.create is Failed (405), which is the answer the SDK's documented path expects.
package contract
