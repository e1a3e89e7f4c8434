// webhook listen: an HTTP(S) endpoint for OpenAI's signed webhooks; each verified event is
// printed as one JSON line on stdout.

#include "command_table.hpp"
#include "json_output.hpp"
#include "listen_address.hpp"

#include <batchwire/webhook_listener.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace batchwire::cli {

namespace asio = boost::asio;

namespace {

constexpr std::array webhook_options_spec{
    option_spec{"listen", 0, "ADDR:PORT", "where to listen (default 127.0.0.1:8080; port 0 picks a free one)"},
    option_spec{"path", 0, "PATH", "the path deliveries are POSTed to (default /webhook)"},
    option_spec{"tls-cert", 0, "FILE", "serve HTTPS with this PEM certificate chain (needs --tls-key)"},
    option_spec{"tls-key", 0, "FILE", "the PEM private key of --tls-cert"},
};

struct listen_args {
    asio::ip::tcp::endpoint endpoint;
    std::string path = "/webhook";
    std::string secret;
    std::optional<webhook_tls_identity> tls;
};

std::string read_pem(const std::string& path, std::string_view option)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    if (!in || s.str().empty())
        throw usage_error("--" + std::string(option) + ": cannot read '" + path + "'", "webhook");
    return s.str();
}

void print_refusal(const webhook_refusal& r)
{
    std::fprintf(stderr, "batchwire: refused a webhook request from %s: %u %s\n", r.remote.c_str(), r.http_status,
                 r.message.c_str());
}

asio::awaitable<exit_status> run_listen(listen_args a)
{
    const auto ex = co_await asio::this_coro::executor;
    // Before the listener says it is ready, so that a signal from then on stops it cleanly.
    // (SIGINT also reaches this coroutine as a cancellation from the command runner.)
    asio::signal_set signals(ex, SIGINT, SIGTERM);

    webhook_listener_options o;
    o.endpoint = a.endpoint;
    o.path = a.path;
    o.receiver.secrets = {a.secret};
    o.tls = a.tls;
    o.on_refusal = print_refusal;
    webhook_listener listener(ex, o, [](webhook_event e) {
        const boost::json::value payload(std::move(e.payload));
        print_json(payload, false); // one line, flushed
    });
    std::fprintf(stderr, "batchwire: listening for webhooks on %s\n",
                 listen_url(listener.local_endpoint(), a.tls.has_value(), a.path).c_str());
    std::fflush(stderr);

    signals.async_wait([&listener](const boost::system::error_code& ec, int) {
        if (!ec)
            listener.stop();
    });
    auto [ec] = co_await listener.async_run(asio::as_tuple(asio::use_awaitable));
    signals.cancel();
    const auto s = listener.stats();
    std::fprintf(stderr, "batchwire: stopped: %llu events, %llu duplicates, %llu refused\n",
                 static_cast<unsigned long long>(s.accepted), static_cast<unsigned long long>(s.duplicates),
                 static_cast<unsigned long long>(s.refused));
    flush_stdout();
    if (ec && ec != error::cancelled) { // cancelled: Ctrl-C, a clean stop like SIGTERM
        diagnostics diag;
        diag.message = "the webhook listener failed";
        throw exception(ec, std::move(diag));
    }
    co_return exit_status::success;
}

command_job make_webhook_job(const command_line& cl)
{
    if (cl.positionals.at(0) != "listen")
        throw usage_error("unknown webhook command '" + cl.positionals.at(0) + "' (there is: listen)", "webhook");
    listen_args a;
    a.endpoint = parse_listen_address(cl.options.value("listen").value_or("127.0.0.1:8080"), "listen", "webhook");
    if (auto p = cl.options.value("path"))
        a.path = checked_listen_path(*p, "path", "webhook");
    const auto cert = cl.options.value("tls-cert");
    const auto key = cl.options.value("tls-key");
    if (cert.has_value() != key.has_value())
        throw usage_error("--tls-cert and --tls-key go together", "webhook");
    if (cert)
        a.tls = webhook_tls_identity{read_pem(*cert, "tls-cert"), read_pem(*key, "tls-key")};
    a.secret = webhook_secret_from_env("OPENAI_WEBHOOK_SECRET is not set: the webhook signing secret (whsec_...)",
                                       "webhook");
    return [a](command_env&) { return run_listen(a); };
}

} // namespace

const command_spec& webhook_command()
{
    static const command_spec spec{
        {"webhook", webhook_options_spec, 1, 1, "listen"},
        "webhook listen [--listen ADDR:PORT] [--path PATH] [--tls-cert FILE --tls-key FILE]",
        "receive OpenAI's signed webhooks and print each verified event",
        "Listens for webhook deliveries (POST PATH) and verifies each one with the secret in\n"
        "OPENAI_WEBHOOK_SECRET (Standard Webhooks: HMAC-SHA256, timestamps within 5 minutes).\n"
        "Each verified event is printed on stdout as one JSON line, once (a redelivery with the\n"
        "same webhook-id is answered 200 and not printed again). Forged, stale or tampered\n"
        "deliveries are answered 400 and printed nowhere but as one line on stderr. Runs until\n"
        "SIGINT or SIGTERM, then closes its connections and exits 0. Without --tls-cert it\n"
        "serves plain HTTP: put it behind a TLS proxy, or give it a certificate.",
        make_webhook_job,
    };
    return spec;
}

} // namespace batchwire::cli
