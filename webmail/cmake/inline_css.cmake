# cmake -DOUTPUT=<file> -DTEMPLATE=<index.html.in> -DCSS=<css> -P inline_css.cmake
# The page's CSS goes inside its <style>: the page's CSP allows inline styles
# only, and one resource is one request less.
file(READ ${TEMPLATE} page)
file(READ ${CSS} css)
string(FIND "${page}" "@WEBMAIL_CSS@" at)
if(at LESS 0)
  message(FATAL_ERROR "inline_css: ${TEMPLATE} has no @WEBMAIL_CSS@")
endif()
string(REPLACE "@WEBMAIL_CSS@" "${css}" page "${page}")
file(WRITE ${OUTPUT}.tmp "${page}")
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
