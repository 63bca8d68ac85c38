package vision

import "github.com/reel-video/reel/frame"

type stub struct{ n string }

func (s *stub) name() string                    { return s.n }
func (s *stub) minFrames() int                  { return 1 }
func (s *stub) process(f *frame.Frame, idx int) {}
func (s *stub) finish(fc *finishContext)        {}

func newLevelsCheck(cfg LevelsConfig, fps float64, th *thumbnailer) videoCheck {
	return &stub{CheckLevels}
}
func newSharpnessCheck(cfg Config, fps float64, th *thumbnailer) videoCheck { return &stub{CheckBlur} }
func newHeadTailCheck(cfg HeadTailConfig, fps float64, th *thumbnailer) videoCheck {
	return &stub{CheckHeadTail}
}
