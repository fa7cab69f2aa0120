package orchestrator

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// PeerLoad is what a server is told of the load it will serve, as an admin sizes a server
// for a known load: the most connections it holds at once (loaded, idle and background),
// the most of them that send requests at once, and the endpoints asked for.
type PeerLoad struct {
	Conns, Active int
	Paths         []string // endpoints (Endpoint), sorted
}

// Env is the load as the peer contract's environment (scripts/peers/README.md); an unknown
// figure is left unset.
func (l PeerLoad) Env() []string {
	var env []string
	if l.Conns > 0 {
		env = append(env, "PEER_CONNECTIONS="+strconv.Itoa(l.Conns))
	}
	if l.Active > 0 {
		env = append(env, "PEER_ACTIVE="+strconv.Itoa(l.Active))
	}
	if len(l.Paths) > 0 {
		env = append(env, "PEER_PATHS="+strings.Join(l.Paths, " "))
	}
	return env
}

// setPeerLoads gives every step the most connections and active connections any measured
// step of its group (the steps one server serves between planned restarts) holds, and
// every endpoint they ask for: a server started again mid-group, after one died, is sized
// as the first was.
func setPeerLoads(steps []Step) {
	for first := 0; first < len(steps); {
		end := first + 1
		for end < len(steps) && !steps[end].Restart {
			end++
		}
		var load PeerLoad
		for _, st := range steps[first:end] {
			if st.Skip != "" {
				continue
			}
			load.Conns = max(load.Conns, st.connections())
			load.Active = max(load.Active, st.active())
			for _, p := range st.Scenario.paths() {
				if ep := Endpoint(p); !slices.Contains(load.Paths, ep) {
					load.Paths = append(load.Paths, ep)
				}
			}
		}
		sort.Strings(load.Paths)
		for i := first; i < end; i++ {
			steps[i].Peer = load
		}
		first = end
	}
}
