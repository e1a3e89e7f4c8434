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

#include <csignal>
#include <cstdlib>
#include <iostream>
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

} // namespace

int main(int argc, char** argv)
{
    namespace em = batchwire::emulator;
    em::emulator_options opts;
    std::vector<em::fault_rule> faults;
    std::vector<em::webhook_fault_rule> webhook_faults;
    unsigned threads = 1;

    try {
        const std::vector<std::string> args(argv + 1, argv + argc);
        for (std::size_t i = 0; i < args.size(); ++i) {
            const std::string& flag = args[i];
            auto value = [&]() -> const std::string& {
                if (i + 1 >= args.size())
                    throw bad_usage(flag + " needs a value");
                return args[++i];
            };
            auto seconds = [&] { return std::chrono::seconds(number<long long>(flag, value())); };
            if (flag == "--help" || flag == "-h") {
                std::cout << usage;
                return 0;
            } else if (flag == "--host") {
                opts.host = value();
            } else if (flag == "--port") {
                opts.port = number<unsigned short>(flag, value());
            } else if (flag == "--plain-http") {
                opts.tls = false;
            } else if (flag == "--cert") {
                opts.cert_file = value();
            } else if (flag == "--key") {
                opts.key_file = value();
            } else if (flag == "--ca") {
                opts.ca_file = value();
            } else if (flag == "--api-key") {
                opts.api_key = value();
            } else if (flag == "--time-scale") {
                opts.time_scale = number<double>(flag, value());
                if (!(opts.time_scale > 0))
                    throw bad_usage("--time-scale must be positive");
            } else if (flag == "--validating-s") {
                opts.validating_duration = seconds();
            } else if (flag == "--requests-per-second") {
                opts.requests_per_second = number<double>(flag, value());
            } else if (flag == "--finalizing-s") {
                opts.finalizing_duration = seconds();
            } else if (flag == "--cancelling-window-s") {
                opts.cancelling_window = seconds();
            } else if (flag == "--cancel-drain-s") {
                opts.cancel_drain_duration = seconds();
            } else if (flag == "--completion-window-s") {
                opts.completion_window = seconds();
            } else if (flag == "--poll-after-ms") {
                opts.poll_after_hint = std::chrono::milliseconds(number<long long>(flag, value()));
            } else if (flag == "--fault") {
                try {
                    faults.push_back(em::parse_fault_rule(value()));
                } catch (const std::invalid_argument& e) {
                    throw bad_usage(e.what());
                }
            } else if (flag == "--webhook-url") {
                opts.webhook_url = value();
            } else if (flag == "--webhook-secret") {
                opts.webhook_secret = value();
            } else if (flag == "--webhook-fault") {
                try {
                    webhook_faults.push_back(em::parse_webhook_fault_rule(value()));
                } catch (const std::invalid_argument& e) {
                    throw bad_usage(e.what());
                }
            } else if (flag == "--webhook-attempts") {
                opts.webhook_retry.max_attempts = number<unsigned>(flag, value());
                if (opts.webhook_retry.max_attempts == 0)
                    throw bad_usage("--webhook-attempts must be at least 1");
            } else if (flag == "--webhook-backoff-s") {
                const double s = number<double>(flag, value());
                if (!(s >= 0))
                    throw bad_usage("--webhook-backoff-s must not be negative");
                opts.webhook_retry.initial_backoff = std::chrono::milliseconds(static_cast<long long>(s * 1000));
            } else if (flag == "--webhook-timeout-ms") {
                opts.webhook_attempt_timeout = std::chrono::milliseconds(number<long long>(flag, value()));
            } else if (flag == "--fault-seed") {
                opts.fault_seed = number<std::uint64_t>(flag, value());
            } else if (flag == "--close-after-requests") {
                opts.close_after_requests = number<std::size_t>(flag, value());
            } else if (flag == "--idle-close-ms") {
                opts.idle_close = std::chrono::milliseconds(number<long long>(flag, value()));
            } else if (flag == "--request-timeout-ms") {
                opts.request_timeout = std::chrono::milliseconds(number<long long>(flag, value()));
            } else if (flag == "--max-connections") {
                opts.max_connections = number<std::size_t>(flag, value());
            } else if (flag == "--threads") {
                threads = number<unsigned>(flag, value());
                if (threads == 0)
                    throw bad_usage("--threads must be at least 1");
            } else {
                throw bad_usage("unknown option " + flag);
            }
        }
        if (opts.webhook_url.empty() != opts.webhook_secret.empty())
            throw bad_usage("--webhook-url and --webhook-secret go together");
        if (opts.webhook_url.empty() && !webhook_faults.empty())
            throw bad_usage("--webhook-fault needs --webhook-url");
        if (!opts.webhook_url.empty())
            check_webhook_settings(opts);
    } catch (const bad_usage& e) {
        std::cerr << "batchwire-emulator: " << e.what() << "\n(see --help)\n";
        return 2;
    }

    try {
        boost::asio::io_context ioc(static_cast<int>(threads));
        em::server srv(ioc.get_executor(), opts);
        for (auto& f : faults)
            srv.add_fault(std::move(f));
        for (const auto& f : webhook_faults)
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
        for (unsigned i = 1; i < threads; ++i)
            pool.emplace_back([&ioc] { ioc.run(); });
        ioc.run();
        for (auto& t : pool)
            t.join();
    } catch (const std::exception& e) {
        std::cerr << "batchwire-emulator: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
