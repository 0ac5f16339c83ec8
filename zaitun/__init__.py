"""zaitun: Chinese government content to reviewed, published bilingual pages.

The package layout is the pipeline:

    content (model, importer, segmenter) -> translate (glossary, memory, engines, checks)
    -> review (store, web UI) -> publish (site, feeds, social, sinks)

`zaitun.pipeline.run_once` shows one whole pass on one screen.
"""

__version__ = "0.1.0"
