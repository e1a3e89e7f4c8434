#ifndef BATCHWIRE_SRC_CLIENT_ACCESS_HPP
#define BATCHWIRE_SRC_CLIENT_ACCESS_HPP

// How the layers built on a client (watches, recovery, webhook wake-ups) reach its shared
// state without the public header exposing it.

#include <batchwire/client.hpp>

#include <memory>

namespace batchwire::detail {

struct client_access {
    static const std::shared_ptr<client_state>& state(const client& c) noexcept { return c.state_; }
};

} // namespace batchwire::detail

#endif
