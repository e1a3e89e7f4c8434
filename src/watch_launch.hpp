#ifndef BATCHWIRE_SRC_WATCH_LAUNCH_HPP
#define BATCHWIRE_SRC_WATCH_LAUNCH_HPP

// Launching a watch from inside the library, where a layer holds the client's shared state
// rather than the client (cancel_and_recover).

#include "client_state.hpp"

#include <batchwire/watch.hpp>

#include <memory>
#include <string>

namespace batchwire::detail {

// As launch_watch(const client&, ...) in watch.hpp.
void launch_watch(std::shared_ptr<client_state> st, std::string id, watch_options opts, bool cancel_first,
                  diagnostics* diag, watch_handler h);

} // namespace batchwire::detail

#endif
