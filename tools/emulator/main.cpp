// batchwire-emulator: serves the emulated Batch and Files API until SIGINT/SIGTERM.
// The first line on stdout is {"base_url": "...", "ca_file": "..."}; scripts read it to
// find the port and the CA to trust.
#include <batchwire/emulator/server.hpp>
#include <batchwire/emulator/webhook_target.hpp>
#include <batchwire/webhook_signer.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr std::string_view usage = R"(usage: batchwire-emulator [options]

A local, stateful server of the OpenAI Batch and Files API (HTTPS by default), with fault
injection and a scaled clock. Prints {"base_url": ..., "ca_file": ...} as its first line,
then serves until SIGINT or SIGTERM.

  --host ADDR                 listen address (default 127.0.0.1)
  --port N                    listen port (default 0: any free port)
  --plain-http                serve http:// instead of https://
  --cert FILE --key FILE      TLS certificate chain and key (PEM); default: generated
  --ca FILE                   the CA clients should trust (with --cert/--key)
  --api-key KEY               expected bearer key (default sk-emulator; "" accepts any)
  --time-scale X              emulated seconds per wall second (default 1)
  --validating-s N            validating duration, emulated seconds (default 2)
  --requests-per-second X     execution rate, emulated (default 5)
  --finalizing-s N            finalizing duration (default 2)
  --cancelling-window-s N     time a batch stays cancelling (default 600)
  --cancel-drain-s N          requests keep completing this long after a cancel (default 1)
  --completion-window-s N     time before a batch expires (default 86400)
  --poll-after-ms N           send openai-poll-after-ms on batch reads
  --fault SPEC                add a fault rule (repeatable), e.g.
                              'route=GET /v1/batches/{id},kind=http_status,status=503,skip=0,count=2'
                              keys: route kind skip count probability status retry_after_s
                              retry_after_ms should_retry drip_interval_ms drip_bytes stall_ms
                              kinds: http_status rate_limited insufficient_quota
                              close_after_response reset_mid_response truncate_body
                              stall_headers stall_body slow_drip malformed_json wrong_content_type
  --fault-seed N              seed for fault probabilities (default 24301)
  --webhook-url URL           POST a signed event there when a batch ends (completed,
                              failed, expired, cancelled): http://IP:PORT/path (or localhost)
  --webhook-secret SECRET     the signing secret (whsec_ + base64, or raw text); needed
                              with --webhook-url
  --webhook-fault SPEC        a delivery fault (repeatable): KIND or KIND:N (the next N
                              events; 0 = every one), or 'kind=delay,delay_s=30,skip=1,count=2'
                              kinds: drop duplicate delay out_of_order bad_signature
                              (delay: 60 emulated seconds unless delay_s/delay_ms says)
  --webhook-attempts N        attempts per delivery before giving up (default 8)
  --webhook-backoff-s X       emulated wait after the first failed attempt, doubling
                              up to an hour (default 5)
  --webhook-timeout-ms N      wall time for one attempt (default 10000)
  --close-after-requests N    Connection: close on the Nth response of a connection
  --idle-close-ms N           silently close connections idle this long
  --request-timeout-ms N      a request must arrive whole (first byte to end of body)
                              within this, else 408 and close (default 30000; 0 = never)
  --max-connections N         concurrent connections (default 10000)
  --threads N                 threads running the server (default 1)
  --help                      this text
)";

struct bad_usage : std::runtime_error {
    using std::runtime_error::runtime_error;
};

template <class T>
T number(std::string_view flag, const std::string& text)
{
    try {
        std::size_t used = 0;
        T value{};
        if constexpr (std::is_floating_point_v<T>)
            value = static_cast<T>(std::stod(text, &used));
        else if constexpr (std::is_signed_v<T>)
            value = static_cast<T>(std::stoll(text, &used));
        else {
            if (!text.empty() && text.front() == '-')
                throw std::invalid_argument("");
            value = static_cast<T>(std::stoull(text, &used));
        }
        if (used != text.size())
            throw std::invalid_argument("");
        return value;
    } catch (const std::exception&) {
        throw bad_usage(std::string(flag) + ": not a valid number: '" + text + "'");
    }
}

void check_webhook_settings(const batchwire::emulator::emulator_options& o)
{
    try {
        (void)batchwire::emulator::parse_webhook_target(o.webhook_url);
    } catch (const std::invalid_argument& e) {
        throw bad_usage(std::string("--webhook-url: ") + e.what());
    }
    try {
        (void)batchwire::sign_webhook(o.webhook_secret, "msg_check", 0, "{}");
    } catch (const std::exception&) {
        throw bad_usage("--webhook-secret: not a valid secret (whsec_ + base64, or raw text)");
    }
}

// What the command line asks for.
struct settings {
    batchwire::emulator::emulator_options opts;
    std::vector<batchwire::emulator::fault_rule> faults;
    std::vector<batchwire::emulator::webhook_fault_rule> webhook_faults;
    unsigned threads = 1;
};

using setter = std::function<void(settings&, const std::string& flag, const std::string& value)>;

template <class Rep, class Period>
setter duration_of(std::chrono::duration<Rep, Period> batchwire::emulator::emulator_options::*field)
{
    return [field](settings& s, const std::string& flag, const std::string& v) {
        s.opts.*field = std::chrono::duration<Rep, Period>(number<long long>(flag, v));
    };
}

template <class Rule>
Rule parsed_rule(Rule (*parse)(std::string_view), const std::string& v)
{
    try {
        return parse(v);
    } catch (const std::invalid_argument& e) {
        throw bad_usage(e.what());
    }
}

// Every option that takes a value, and what it sets.
const std::map<std::string_view, setter>& valued_options()
{
    namespace em = batchwire::emulator;
    using o = em::emulator_options;
    static const std::map<std::string_view, setter> table{
        {"--host", [](settings& s, auto&, auto& v) { s.opts.host = v; }},
        {"--port", [](settings& s, auto& f, auto& v) { s.opts.port = number<unsigned short>(f, v); }},
        {"--cert", [](settings& s, auto&, auto& v) { s.opts.cert_file = v; }},
        {"--key", [](settings& s, auto&, auto& v) { s.opts.key_file = v; }},
        {"--ca", [](settings& s, auto&, auto& v) { s.opts.ca_file = v; }},
        {"--api-key", [](settings& s, auto&, auto& v) { s.opts.api_key = v; }},
        {"--time-scale",
         [](settings& s, auto& f, auto& v) {
             s.opts.time_scale = number<double>(f, v);
             if (!(s.opts.time_scale > 0))
                 throw bad_usage("--time-scale must be positive");
         }},
        {"--validating-s", duration_of(&o::validating_duration)},
        {"--requests-per-second", [](settings& s, auto& f, auto& v) { s.opts.requests_per_second = number<double>(f, v); }},
        {"--finalizing-s", duration_of(&o::finalizing_duration)},
        {"--cancelling-window-s", duration_of(&o::cancelling_window)},
        {"--cancel-drain-s", duration_of(&o::cancel_drain_duration)},
        {"--completion-window-s", duration_of(&o::completion_window)},
        {"--poll-after-ms",
         [](settings& s, auto& f, auto& v) { s.opts.poll_after_hint = std::chrono::milliseconds(number<long long>(f, v)); }},
        {"--fault", [](settings& s, auto&, auto& v) { s.faults.push_back(parsed_rule(&em::parse_fault_rule, v)); }},
        {"--fault-seed", [](settings& s, auto& f, auto& v) { s.opts.fault_seed = number<std::uint64_t>(f, v); }},
        {"--webhook-url", [](settings& s, auto&, auto& v) { s.opts.webhook_url = v; }},
        {"--webhook-secret", [](settings& s, auto&, auto& v) { s.opts.webhook_secret = v; }},
        {"--webhook-fault",
         [](settings& s, auto&, auto& v) { s.webhook_faults.push_back(parsed_rule(&em::parse_webhook_fault_rule, v)); }},
        {"--webhook-attempts",
         [](settings& s, auto& f, auto& v) {
             s.opts.webhook_retry.max_attempts = number<unsigned>(f, v);
             if (s.opts.webhook_retry.max_attempts == 0)
                 throw bad_usage("--webhook-attempts must be at least 1");
         }},
        {"--webhook-backoff-s",
         [](settings& s, auto& f, auto& v) {
             const double secs = number<double>(f, v);
             if (!(secs >= 0))
                 throw bad_usage("--webhook-backoff-s must not be negative");
             s.opts.webhook_retry.initial_backoff = std::chrono::milliseconds(static_cast<long long>(secs * 1000));
         }},
        {"--webhook-timeout-ms", duration_of(&o::webhook_attempt_timeout)},
        {"--close-after-requests",
         [](settings& s, auto& f, auto& v) { s.opts.close_after_requests = number<std::size_t>(f, v); }},
        {"--idle-close-ms", duration_of(&o::idle_close)},
        {"--request-timeout-ms", duration_of(&o::request_timeout)},
        {"--max-connections", [](settings& s, auto& f, auto& v) { s.opts.max_connections = number<std::size_t>(f, v); }},
        {"--threads",
         [](settings& s, auto& f, auto& v) {
             s.threads = number<unsigned>(f, v);
             if (s.threads == 0)
                 throw bad_usage("--threads must be at least 1");
         }},
    };
    return table;
}

// The settings, or nullopt for --help. Throws bad_usage.
std::optional<settings> parse_arguments(const std::vector<std::string>& args)
{
    settings s;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& flag = args[i];
        if (flag == "--help" || flag == "-h")
            return std::nullopt;
        if (flag == "--plain-http") {
            s.opts.tls = false;
            continue;
        }
        const auto it = valued_options().find(flag);
        if (it == valued_options().end())
            throw bad_usage("unknown option " + flag);
        if (i + 1 >= args.size())
            throw bad_usage(flag + " needs a value");
        it->second(s, flag, args[++i]);
    }
    if (s.opts.webhook_url.empty() != s.opts.webhook_secret.empty())
        throw bad_usage("--webhook-url and --webhook-secret go together");
    if (s.opts.webhook_url.empty() && !s.webhook_faults.empty())
        throw bad_usage("--webhook-fault needs --webhook-url");
    if (!s.opts.webhook_url.empty())
        check_webhook_settings(s.opts);
    return s;
}

// Serves until SIGINT/SIGTERM; the ready line first.
void serve(settings s)
{
    boost::asio::io_context ioc(static_cast<int>(s.threads));
    batchwire::emulator::server srv(ioc.get_executor(), s.opts);
    for (auto& f : s.faults)
        srv.add_fault(std::move(f));
    for (const auto& f : s.webhook_faults)
        srv.add_webhook_fault(f);

    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&srv](const boost::system::error_code& ec, int) {
        if (!ec)
            srv.stop();
    });
    srv.start();

    boost::json::object ready;
    ready["base_url"] = srv.base_url();
    ready["ca_file"] = srv.ca_file();
    std::cout << boost::json::serialize(ready) << std::endl; // endl: flushed for the reading script

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < s.threads; ++i)
        pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool)
        t.join();
}

} // namespace

int main(int argc, char** argv)
{
    std::optional<settings> s;
    try {
        s = parse_arguments(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const bad_usage& e) {
        std::cerr << "batchwire-emulator: " << e.what() << "\n(see --help)\n";
        return 2;
    }
    if (!s) {
        std::cout << usage;
        return 0;
    }
    try {
        serve(std::move(*s));
    } catch (const std::exception& e) {
        std::cerr << "batchwire-emulator: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
