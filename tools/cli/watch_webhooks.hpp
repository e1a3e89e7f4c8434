#ifndef BATCHWIRE_CLI_WATCH_WEBHOOKS_HPP
#define BATCHWIRE_CLI_WATCH_WEBHOOKS_HPP

// --webhook-listen for `watch` and `cancel --watch`: a webhook listener on the command's
// io_context while the watch runs. Each verified event wakes the watches of its batch (one
// confirming retrieve: the event is a hint, the batch is the truth) and is reported as one
// line; polls become the fallback.

#include "command_line.hpp"

#include <batchwire/client.hpp>
#include <batchwire/webhook_listener.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace batchwire::cli {

struct watch_webhook_args {
    boost::asio::ip::tcp::endpoint endpoint;
    std::string path = "/";
    std::string secret; // OPENAI_WEBHOOK_SECRET
};

// The options both commands take.
inline constexpr option_spec webhook_listen_option{
    "webhook-listen", 0, "ADDR:PORT",
    "also receive webhooks here (secret: OPENAI_WEBHOOK_SECRET); polls become a fallback"};
inline constexpr option_spec webhook_path_option{
    "webhook-path", 0, "PATH", "with --webhook-listen: the path deliveries are POSTed to (default /)"};

// --webhook-listen and --webhook-path with the secret from OPENAI_WEBHOOK_SECRET; nullopt
// without --webhook-listen. Throws usage_error: a bad address or path, --webhook-path alone,
// the secret unset or not valid.
std::optional<watch_webhook_args> read_watch_webhook_args(const command_line& cl, std::string_view command);

// The running listener; stopped when destroyed.
class watch_webhooks {
public:
    // `note` gets "webhook batch.cancelled evt_... for batch_..." per accepted event, and a
    // line per refused delivery. Throws batchwire::exception when it cannot listen.
    watch_webhooks(client& c, const watch_webhook_args& a, std::function<void(std::string_view)> note);
    ~watch_webhooks();
    watch_webhooks(const watch_webhooks&) = delete;
    watch_webhooks& operator=(const watch_webhooks&) = delete;

private:
    // Shared with the listener's callbacks, which may still be queued when this is gone.
    std::shared_ptr<std::function<void(std::string_view)>> note_;
    std::optional<webhook_listener> listener_;
};

// "webhook batch.cancelled evt_1 for batch_2" ("webhook response.completed evt_1" without a batch).
std::string webhook_line(const webhook_event& e);

} // namespace batchwire::cli

#endif
