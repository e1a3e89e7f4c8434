#ifndef BATCHWIRE_POOL_PARAMS_HPP
#define BATCHWIRE_POOL_PARAMS_HPP

// Connection pool parameters (one pool per origin, i.e. per client).

#include <chrono>
#include <cstddef>

namespace batchwire {

struct pool_params {
    // Connections open at once, idle and leased. Requests beyond it wait in FIFO order.
    std::size_t max_size = 32;
    // An idle connection unused this long is closed instead of reused.
    std::chrono::milliseconds idle_timeout{50000};
    // TCP connect, per attempt (name resolution included).
    std::chrono::milliseconds connect_timeout{10000};
    // TLS handshake.
    std::chrono::milliseconds handshake_timeout{10000};
    // false: every request opens and closes its own connection (for comparison and for
    // servers that mishandle keep-alive). The max_size limit still applies.
    bool enabled = true;
    // Resume TLS sessions on new connections to the same origin.
    bool tls_session_resumption = true;
};

} // namespace batchwire

#endif
