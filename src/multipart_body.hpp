#ifndef BATCHWIRE_SRC_MULTIPART_BODY_HPP
#define BATCHWIRE_SRC_MULTIPART_BODY_HPP

// The multipart/form-data body of POST /files: the form fields, then the file streamed
// from disk (connection.hpp's streamed_body), then the closing boundary.

#include "connection.hpp"

#include <batchwire/client.hpp>

namespace batchwire::detail {

// Fills `body` and `content_type` for an upload of p.path. Errors: file_error (cannot
// stat the file), invalid_argument (empty purpose), with a reason in `why`.
boost::system::error_code make_multipart_upload(const file_upload_params& p, streamed_body& body,
                                                std::string& content_type, std::string& why);

} // namespace batchwire::detail

#endif
