#ifndef BATCHWIRE_CLI_RESULT_FILES_HPP
#define BATCHWIRE_CLI_RESULT_FILES_HPP

// --download-partial DIR: once a watched batch has ended, its output and error files
// (whichever are set) are saved as DIR/<file_id>.jsonl and their paths reported on stderr.

#include <batchwire/batch.hpp>
#include <batchwire/client.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>
#include <string_view>

namespace batchwire::cli {

// True for an id that is safe as a file name: [A-Za-z0-9._-], not starting with a dot.
// The id comes from the server and must not choose where the file is written.
bool is_safe_file_id(std::string_view id) noexcept;

// Creates `dir` when missing and downloads into it. Throws batchwire::exception:
// file_error (the directory or a file), invalid_response (an unsafe file id), the
// download's errors.
boost::asio::awaitable<void> save_result_files(client& api, const batch& b, std::string dir);

} // namespace batchwire::cli

#endif
