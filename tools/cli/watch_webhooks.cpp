#include "watch_webhooks.hpp"

#include "listen_address.hpp"

#include <batchwire/watch_wakeup.hpp>


namespace batchwire::cli {

std::optional<watch_webhook_args> read_watch_webhook_args(const command_line& cl, std::string_view command)
{
    const auto listen = cl.options.value("webhook-listen");
    const auto path = cl.options.value("webhook-path");
    if (!listen) {
        if (path)
            throw usage_error("--webhook-path needs --webhook-listen", command);
        return std::nullopt;
    }
    watch_webhook_args a;
    a.endpoint = parse_listen_address(*listen, "webhook-listen", command);
    if (path)
        a.path = checked_listen_path(*path, "webhook-path", command);
    a.secret = webhook_secret_from_env(
        "--webhook-listen needs OPENAI_WEBHOOK_SECRET, the webhook signing secret (whsec_...)", command);
    return a;
}

std::string webhook_line(const webhook_event& e)
{
    std::string line = "webhook " + e.type_name + " " + e.id;
    if (!e.batch_id.empty())
        line += " for " + e.batch_id;
    return line;
}

watch_webhooks::watch_webhooks(client& c, const watch_webhook_args& a, std::function<void(std::string_view)> note)
    : note_(std::make_shared<std::function<void(std::string_view)>>(std::move(note)))
{
    webhook_listener_options o;
    o.endpoint = a.endpoint;
    o.path = a.path;
    o.receiver.secrets = {a.secret};
    o.on_refusal = [note = note_](const webhook_refusal& r) {
        if (*note)
            (*note)("webhook refused from " + r.remote + ": " + std::to_string(r.http_status) + " " + r.message);
    };
    const watch_waker wake(c);
    listener_.emplace(c.get_executor(), o, [note = note_, wake](webhook_event e) {
        if (*note)
            (*note)(webhook_line(e));
        wake(std::move(e));
    });
    (*note_)("listening for webhooks on " + listen_url(listener_->local_endpoint(), false, a.path));
    // Ends when stopped; a failure to serve leaves the polls to do the work.
    listener_->async_run([note = note_](boost::system::error_code ec) {
        if (ec && ec != error::cancelled && *note)
            (*note)("the webhook listener stopped: " + ec.message());
    });
}

watch_webhooks::~watch_webhooks()
{
    *note_ = nullptr; // the display it writes to is going away
    listener_.reset(); // stops it
}

} // namespace batchwire::cli
