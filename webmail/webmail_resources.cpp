// cachet_webmail holds only Qt resources (:/webmail/index.html and
// :/webmail/bundle.js); a static library needs one object of its own.
namespace cachet::webmail {
int resourcesLinked();
int resourcesLinked() { return 1; }
}  // namespace cachet::webmail
