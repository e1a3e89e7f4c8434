#include <batchwire/emulator/webhook_sender.hpp>

#include <batchwire/emulator/random_id.hpp>
#include <batchwire/emulator/webhook_event_body.hpp>
#include <batchwire/webhook_signer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace batchwire::emulator {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// bad_signature signs with this instead of the secret.
constexpr std::string_view wrong_key = "batchwire-emulator-not-the-secret";

std::int64_t wall_seconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string checked_secret(std::string secret)
{
    try {
        (void)batchwire::sign_webhook(secret, "msg_check", 0, "{}");
    } catch (const std::exception&) {
        throw std::invalid_argument("webhook secret: not a valid secret (whsec_ + base64, or raw text)");
    }
    return secret;
}

} // namespace

webhook_sender::webhook_sender(asio::any_io_executor ex, const emulated_clock& clock, webhook_sender_params params)
    : clock_(clock)
    , params_{std::move(params.url), checked_secret(std::move(params.secret)), params.retry, params.attempt_timeout}
    , target_(parse_webhook_target(params_.url))
    , strand_(asio::make_strand(ex))
    , timer_(strand_)
{
}

void webhook_sender::start()
{
    if (started_.exchange(true) || stopped_)
        return;
    auto self = shared_from_this();
    asio::co_spawn(strand_, [self]() { return self->run(); }, asio::detached);
}

void webhook_sender::stop()
{
    if (stopped_.exchange(true))
        return;
    asio::post(strand_, [self = shared_from_this()] {
        self->timer_.cancel();
        if (self->cancel_attempt_)
            self->cancel_attempt_();
    });
}

void webhook_sender::poke()
{
    asio::post(strand_, [self = shared_from_this()] { self->timer_.cancel(); });
}

void webhook_sender::batch_ended(const batchwire::batch& b, std::int64_t ended_ms)
{
    const auto type = batch_event_type(b.status);
    if (!type || stopped_)
        return;
    delivery d;
    d.webhook_id = random_id("wh_", 32);
    d.body = batch_event_body(random_id("evt_", 32), *type, emulated_clock::floor_seconds(ended_ms), b.id);
    const auto fault = faults_.pick();
    std::optional<webhook_fault_kind> kind;
    if (fault)
        kind = fault->kind;
    std::int64_t due = clock_.now_ms();
    {
        std::lock_guard lock(mutex_);
        ++stats_.events;
        std::optional<delivery> released = std::exchange(held_, std::nullopt);
        if (kind == webhook_fault_kind::drop) {
            ++stats_.dropped;
        } else if (kind == webhook_fault_kind::out_of_order) {
            held_ = std::move(d);
        } else {
            if (kind == webhook_fault_kind::delay)
                due += fault->delay.count();
            d.bad_signature = kind == webhook_fault_kind::bad_signature;
            if (kind == webhook_fault_kind::duplicate)
                enqueue_locked(due, d);
            enqueue_locked(due, std::move(d));
        }
        // An event held back goes right after the one that came next.
        if (released)
            enqueue_locked(due, std::move(*released));
    }
    poke();
}

void webhook_sender::enqueue_locked(std::int64_t due_ms, delivery d)
{
    queue_.emplace(queue_key{due_ms, next_order_++}, std::move(d));
}

webhook_delivery_stats webhook_sender::stats() const
{
    std::lock_guard lock(mutex_);
    webhook_delivery_stats s = stats_;
    s.pending = queue_.size() + (held_ ? 1 : 0) + (in_flight_ ? 1 : 0);
    return s;
}

std::optional<webhook_sender::delivery> webhook_sender::take_due()
{
    std::lock_guard lock(mutex_);
    if (queue_.empty() || queue_.begin()->first.first > clock_.now_ms())
        return std::nullopt;
    auto node = queue_.extract(queue_.begin());
    in_flight_ = true;
    ++stats_.attempts;
    return std::move(node.mapped());
}

void webhook_sender::arm_timer()
{
    std::optional<std::int64_t> due;
    {
        std::lock_guard lock(mutex_);
        if (!queue_.empty())
            due = queue_.begin()->first.first;
    }
    // Nothing due, or a manual clock: wait for a poke. Else at most a second at a time, so
    // that the wall-to-emulated conversion never drifts far.
    const auto wall = due ? clock_.wall_until(*due) : std::nullopt;
    if (!wall)
        timer_.expires_at(std::chrono::steady_clock::time_point::max());
    else
        timer_.expires_after(std::clamp<std::chrono::steady_clock::duration>(*wall, std::chrono::milliseconds(1),
                                                                             std::chrono::seconds(1)));
}

asio::awaitable<void> webhook_sender::run()
{
    auto self = shared_from_this(); // alive until the loop ends
    while (!stopped_) {
        if (auto d = take_due()) {
            const bool ok = co_await post_once(*d);
            settle_attempt(std::move(*d), ok);
            continue;
        }
        arm_timer();
        co_await timer_.async_wait(use_tuple);
    }
    std::lock_guard lock(mutex_);
    queue_.clear();
    held_.reset();
}

asio::awaitable<bool> webhook_sender::post_once(const delivery& d)
{
    const std::int64_t ts = wall_seconds();
    http::request<http::string_body> req{http::verb::post, target_.target, 11};
    req.set(http::field::host, target_.host);
    req.set(http::field::user_agent, "batchwire-emulator");
    req.set(http::field::content_type, "application/json");
    req.set("webhook-id", d.webhook_id);
    req.set("webhook-timestamp", std::to_string(ts));
    req.set("webhook-signature",
            batchwire::sign_webhook(d.bad_signature ? wrong_key : std::string_view(params_.secret), d.webhook_id, ts,
                                    d.body));
    req.keep_alive(false);
    req.body() = d.body;
    req.prepare_payload();

    beast::tcp_stream stream(strand_);
    cancel_attempt_ = [&stream] { stream.cancel(); };
    stream.expires_after(params_.attempt_timeout);
    bool ok = false;
    auto [ec] = co_await stream.async_connect(target_.endpoint, use_tuple);
    if (!ec && !stopped_)
        std::tie(ec, std::ignore) = co_await http::async_write(stream, req, use_tuple);
    if (!ec && !stopped_) {
        beast::flat_buffer buf;
        http::response_parser<http::string_body> answer;
        answer.body_limit(64 * 1024);
        std::tie(ec, std::ignore) = co_await http::async_read(stream, buf, answer, use_tuple);
        ok = !ec && answer.get().result_int() / 100 == 2;
    }
    cancel_attempt_ = nullptr;
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream.close();
    co_return ok;
}

void webhook_sender::settle_attempt(delivery d, bool ok)
{
    std::lock_guard lock(mutex_);
    in_flight_ = false;
    if (ok) {
        ++stats_.delivered;
        return;
    }
    ++stats_.failed_attempts;
    ++d.failed;
    if (const auto wait = webhook_retry_delay(d.failed, params_.retry))
        enqueue_locked(clock_.now_ms() + wait->count(), std::move(d));
    else
        ++stats_.abandoned;
}

} // namespace batchwire::emulator
