#include <batchwire/emulator/api_state.hpp>

#include <batchwire/emulator/random_id.hpp>

#include <algorithm>
#include <utility>

namespace batchwire::emulator {

api_state::api_state(const emulator_options& opts, const emulated_clock& clock)
    : opts_(opts)
    , clock_(clock)
{
}

std::shared_ptr<const stored_file> api_state::store_file_locked(std::string filename, std::string purpose,
                                                                std::shared_ptr<const std::string> storage,
                                                                std::string_view content, std::int64_t created_at,
                                                                std::optional<std::int64_t> expires_at)
{
    auto file = std::make_shared<stored_file>();
    file->meta.id = random_id("file-", 24);
    file->meta.bytes = static_cast<std::int64_t>(content.size());
    file->meta.created_at = created_at;
    file->meta.filename = std::move(filename);
    file->meta.purpose = std::move(purpose);
    file->meta.status = "processed";
    file->meta.expires_at = expires_at;
    file->storage = std::move(storage);
    file->content = content;
    files_.emplace(file->meta.id, file);
    return file;
}

std::shared_ptr<const stored_file> api_state::add_file(std::string filename, std::string purpose,
                                                       std::shared_ptr<const std::string> storage,
                                                       std::string_view content,
                                                       std::optional<std::int64_t> expires_after_seconds)
{
    const std::int64_t created_at = clock_.now_seconds();
    std::optional<std::int64_t> expires_at;
    if (expires_after_seconds)
        expires_at = created_at + *expires_after_seconds;
    else if (purpose == "batch")
        expires_at = created_at + opts_.default_file_expiry_seconds;
    std::lock_guard lock(mutex_);
    return store_file_locked(std::move(filename), std::move(purpose), std::move(storage), content, created_at,
                             expires_at);
}

std::shared_ptr<const stored_file> api_state::find_file(std::string_view id) const
{
    std::lock_guard lock(mutex_);
    const auto it = files_.find(id);
    return it == files_.end() ? nullptr : it->second;
}

std::variant<batchwire::batch, api_error> api_state::create_batch(const batchwire::batch_create_params& params)
{
    const std::int64_t now = clock_.now_ms();
    std::lock_guard lock(mutex_);
    const auto file = files_.find(params.input_file_id);
    if (file == files_.end())
        return api_error::invalid_request("Input file '" + params.input_file_id.substr(0, 100) + "' not found.",
                                          std::string("input_file_id"));
    if (file->second->meta.purpose != "batch")
        return api_error::invalid_request("Input file '" + params.input_file_id +
                                              "' has purpose '" + file->second->meta.purpose +
                                              "'; a batch needs a file with purpose 'batch'.",
                                          std::string("input_file_id"));

    auto rec = std::make_unique<batch_record>();
    rec->sequence = by_creation_.size();
    rec->input = file->second;
    if (params.output_expires_after)
        rec->output_expires_seconds = params.output_expires_after->seconds;
    rec->created_ms = now;
    rec->validated_ms = now + std::chrono::milliseconds(opts_.validating_duration).count();
    rec->expires_ms = now + std::chrono::milliseconds(opts_.completion_window).count();

    batchwire::batch& b = rec->view;
    b.id = random_id("batch_", 24);
    b.endpoint = params.endpoint;
    b.input_file_id = params.input_file_id;
    b.completion_window = params.completion_window;
    b.status = batchwire::batch_status::validating;
    b.status_text = std::string(batchwire::to_string(b.status));
    b.created_at = emulated_clock::floor_seconds(now);
    b.expires_at = emulated_clock::floor_seconds(rec->expires_ms);
    b.request_counts = batchwire::batch_request_counts{};
    b.metadata = params.metadata;

    batch_record& stored = *rec;
    batches_.emplace(b.id, std::move(rec));
    by_creation_.push_back(&stored);
    active_.push_back(&stored);
    settle(stored, now); // a zero validating_duration moves on at once
    return stored.view;
}

std::optional<batchwire::batch> api_state::find_batch(std::string_view id)
{
    const std::int64_t now = clock_.now_ms();
    std::lock_guard lock(mutex_);
    const auto it = batches_.find(id);
    if (it == batches_.end())
        return std::nullopt;
    settle(*it->second, now);
    return it->second->view;
}

std::variant<batchwire::batch, api_error> api_state::cancel_batch(std::string_view id)
{
    const std::int64_t now = clock_.now_ms();
    std::lock_guard lock(mutex_);
    const auto it = batches_.find(id);
    if (it == batches_.end())
        return api_error::not_found("No batch found with id '" + std::string(id.substr(0, 100)) + "'.");
    batch_record& rec = *it->second;
    settle(rec, now);
    using batchwire::batch_status;
    switch (rec.view.status) {
    case batch_status::validating:
    case batch_status::in_progress:
    case batch_status::finalizing:
        rec.cancelling_ms = now;
        rec.view.status = batch_status::cancelling;
        rec.view.status_text = std::string(batchwire::to_string(rec.view.status));
        rec.view.cancelling_at = emulated_clock::floor_seconds(now);
        settle(rec, now); // a zero cancelling window ends at once
        return rec.view;
    case batch_status::cancelling:
        return rec.view;
    default: // ended: the live API refuses with a 409, not a 400
        return api_error::conflict("Cannot cancel a batch with status '" + rec.view.status_text + "'.");
    }
}

api_state::batch_list api_state::list_batches(std::optional<std::string_view> after, std::size_t limit)
{
    const std::int64_t now = clock_.now_ms();
    std::lock_guard lock(mutex_);
    batch_list out;
    std::size_t end = by_creation_.size(); // one past the newest batch to list
    if (after) {
        const auto it = batches_.find(*after);
        if (it == batches_.end())
            return out;
        end = it->second->sequence;
    }
    out.data.reserve(std::min(limit, end));
    while (end > 0 && out.data.size() < limit) {
        batch_record& rec = *by_creation_[--end];
        settle(rec, now);
        out.data.push_back(rec.view);
    }
    out.has_more = end > 0;
    return out;
}

void api_state::settle_all()
{
    const std::int64_t now = clock_.now_ms();
    std::lock_guard lock(mutex_);
    for (batch_record* rec : active_)
        settle(*rec, now);
    drop_finished_from_active();
}

void api_state::drop_finished_from_active()
{
    std::erase_if(active_, [](const batch_record* r) { return r->view.is_terminal(); });
}

std::optional<std::int64_t> api_state::next_due_ms() const
{
    std::lock_guard lock(mutex_);
    std::optional<std::int64_t> due;
    auto consider = [&](std::int64_t t) {
        if (!due || t < *due)
            due = t;
    };
    using batchwire::batch_status;
    for (const batch_record* rec : active_) {
        switch (rec->view.status) {
        case batch_status::validating:
            consider(rec->validated_ms);
            break;
        case batch_status::in_progress:
            consider(std::min(rec->finish_ms, rec->expires_ms));
            break;
        case batch_status::finalizing:
            consider(rec->finish_ms + std::chrono::milliseconds(opts_.finalizing_duration).count());
            break;
        case batch_status::cancelling:
            consider(*rec->cancelling_ms + std::chrono::milliseconds(opts_.cancelling_window).count());
            break;
        default:
            break;
        }
    }
    return due;
}

void api_state::set_end_listener(std::function<void(const batchwire::batch&, std::int64_t)> listener)
{
    std::lock_guard lock(mutex_);
    end_listener_ = std::move(listener);
}

void api_state::set_fail_predicate(std::function<bool(std::string_view)> predicate)
{
    std::lock_guard lock(mutex_);
    fail_predicate_ = std::move(predicate);
}

} // namespace batchwire::emulator
