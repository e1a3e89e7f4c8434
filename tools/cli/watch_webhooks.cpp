#include "watch_webhooks.hpp"

#include "listen_address.hpp"

#include <batchwire/watch_wakeup.hpp>
#include <batchwire/webhook_verifier.hpp>

#include <cstdlib>

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
    if (path) {
        if (path->empty() || path->front() != '/')
            throw usage_error("--webhook-path must start with '/'", command);
        a.path = *path;
    }
    const char* secret = std::getenv("OPENAI_WEBHOOK_SECRET");
    if (!secret || !*secret)
        throw usage_error("--webhook-listen needs OPENAI_WEBHOOK_SECRET, the webhook signing secret (whsec_...)",
                          command);
    a.secret = secret;
    try {
        const std::vector<std::string> secrets{a.secret};
        const webhook_verifier check(secrets);
    } catch (const exception&) {
        throw usage_error("OPENAI_WEBHOOK_SECRET is not a valid secret: whsec_ followed by base64", command);
    }
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
