#pragma once
// The engine's types that travel through queued signals (and so through QVariant), declared once for
// every ui file that sends or receives them.
#include "engine/Recognizer.h"
#include "transcript/AttentionExplanation.h"

#include <QMetaType>

Q_DECLARE_METATYPE(attnscope::Audio)
Q_DECLARE_METATYPE(attnscope::Transcript)
Q_DECLARE_METATYPE(attnscope::TranscribeOptions)
Q_DECLARE_METATYPE(attnscope::ExplainRequest)
Q_DECLARE_METATYPE(attnscope::AttentionExplanation)
