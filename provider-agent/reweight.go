package main

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
	"github.com/dubbomesh/dubbomesh/registry"
)

// Live weights: POST /weight?value=N on the --admin endpoint changes the
// weight the agent registers, without a restart. The registration puts
// its keys again with the new weight (registry.Registration.SetWeight),
// consumer agents watching etcd apply it as soon as they see it, and every
// later registration (a lease lost and granted again) carries it: the
// agent never writes back the weight it started with.

// Weigher is what POST /weight changes: a *registry.Registration. Its
// methods must be safe for concurrent use.
type Weigher interface {
	SetWeight(ctx context.Context, weight int) (inPlace bool, err error)
	Weight() int
}

// weightTimeout bounds one POST /weight's wait for etcd.
const weightTimeout = 5 * time.Second

// SetWeigher makes w the registration POST /weight changes. Until it is
// called, /weight answers 503: not registered yet.
func (a *Agent) SetWeigher(w Weigher) { a.weigher.Store(&w) }

// serveWeight answers /weight: GET says the weight registered now; POST
// /weight?value=N sets it (1..registry.MaxWeight) and answers 200 once etcd
// holds it, or 202 when the lease is being renewed and the renewal will
// put it.
func (a *Agent) serveWeight(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("text/plain; charset=utf-8")
	p := a.weigher.Load()
	if p == nil {
		metrics.Error(ctx, "not registered yet\n", fasthttp.StatusServiceUnavailable)
		return
	}
	w := *p
	switch {
	case ctx.IsGet():
		ctx.SetBodyString("weight " + strconv.Itoa(w.Weight()) + "\n")
		return
	case !ctx.IsPost():
		ctx.Response.Header.Set("Allow", "GET, POST")
		metrics.Error(ctx, "use POST /weight?value=N\n", fasthttp.StatusMethodNotAllowed)
		return
	}
	raw := ctx.QueryArgs().Peek("value")
	if raw == nil {
		raw = ctx.PostArgs().Peek("value")
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil || n < 1 || n > registry.MaxWeight {
		a.m.weightChanges.WithLabelValues("refused").Inc()
		metrics.Error(ctx, "value: want a weight in 1.."+strconv.Itoa(registry.MaxWeight)+", got "+strconv.Quote(string(raw))+"\n", fasthttp.StatusBadRequest)
		return
	}
	c, cancel := context.WithTimeout(context.Background(), weightTimeout)
	defer cancel()
	old := w.Weight()
	inPlace, err := w.SetWeight(c, n)
	switch {
	case errors.Is(err, registry.ErrNotRegistered):
		a.m.weightChanges.WithLabelValues("refused").Inc()
		metrics.Error(ctx, "not registered: "+err.Error()+"\n", fasthttp.StatusServiceUnavailable)
		return
	case err != nil:
		a.m.weightChanges.WithLabelValues("pending").Inc()
		a.log.Warn("weight recorded but not yet in etcd", "weight", n, "was", old, "err", err)
		ctx.SetStatusCode(fasthttp.StatusAccepted)
		ctx.SetBodyString("weight " + strconv.Itoa(n) + " recorded; etcd did not confirm it (" + err.Error() + "): it goes out with the next registration\n")
		return
	case !inPlace:
		a.m.weightChanges.WithLabelValues("pending").Inc()
		ctx.SetStatusCode(fasthttp.StatusAccepted)
		if p := a.registered.Load(); p != nil {
			if why := (*p)(); why != nil {
				// The key is not the agent's now (another lease holds it).
				a.log.Info("weight recorded; the agent's key is not in place, and goes back with it", "weight", n, "was", old, "why", why)
				ctx.SetBodyString("weight " + strconv.Itoa(n) + " recorded: the agent's key is not in place (" + why.Error() + "); it goes out with the key once the key is back\n")
				return
			}
		}
		a.log.Info("weight recorded; the lease is being renewed and the renewal puts it", "weight", n, "was", old)
		ctx.SetBodyString("weight " + strconv.Itoa(n) + " recorded: the registration is being renewed and puts it\n")
		return
	}
	a.m.weightChanges.WithLabelValues("applied").Inc()
	a.log.Info("weight changed", "weight", n, "was", old)
	ctx.SetBodyString("weight " + strconv.Itoa(n) + "\n")
}
