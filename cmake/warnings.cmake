# Warnings for our own targets (not for generated flatbuffers headers, which are SYSTEM includes).
set(ETPU_WARNINGS -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
if(ETPU_WERROR)
  list(APPEND ETPU_WARNINGS -Werror)
endif()
