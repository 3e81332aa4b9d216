//! Semantic matching with a static sentence-embedding model: all-MiniLM-L6-v2
//! distilled into one vector per token (the Model2Vec method, see
//! `src/content/embed/`), so a question is embedded by averaging its token
//! vectors, in microseconds and without a neural network at run time.
//!
//! The model ships inside the binary (`include_bytes!`): nothing is read or
//! downloaded at run time.

use model2vec_rs::model::StaticModel;

use super::docs::Doc;

const TOKENIZER: &[u8] = include_bytes!("../embed/model/tokenizer.json");
const MODEL: &[u8] = include_bytes!("../embed/model/model.safetensors");
const CONFIG: &[u8] = include_bytes!("../embed/model/config.json");

/// Tokens a question is cut to (questions are at most 300 characters).
const MAX_TOKENS: usize = 128;

/// The model and every document's vectors.
pub struct Semantic {
    model: StaticModel,
    dim: usize,
    /// Per document, the rows of `vectors` that belong to it.
    spans: Vec<(usize, usize)>,
    /// Unit vectors, row-major.
    vectors: Vec<f32>,
}

/// Dot product in eight lanes, so the compiler can vectorise it (a plain
/// `sum()` of floats must keep its order and stays scalar).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

fn normalise(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in v.iter_mut() {
            *x /= norm;
        }
    }
}

/// The texts a document is embedded as: each way it can be asked (a
/// passage: its text). Which exercise it belongs to is left to the lexical
/// side, which matches names exactly; in an averaged embedding the name
/// would make every document of an exercise look alike.
fn texts(d: &Doc) -> Vec<String> {
    if d.is_passage() {
        vec![d.body.clone()]
    } else {
        let mut t = d.match_texts.clone();
        t.push(d.body.clone());
        t
    }
}

impl Semantic {
    /// Loads the shipped model and embeds every document.
    pub fn build(docs: &[Doc]) -> anyhow::Result<Self> {
        let model = StaticModel::from_bytes(TOKENIZER, MODEL, CONFIG, Some(true))?;
        let dim = model.dim();
        let mut spans = Vec::with_capacity(docs.len());
        let mut all = Vec::new();
        for d in docs {
            let t = texts(d);
            spans.push((all.len(), t.len()));
            all.extend(t);
        }
        let mut vectors = model.encode_flat_with_args(&all, Some(MAX_TOKENS));
        for row in vectors.chunks_mut(dim) {
            normalise(row);
        }
        Ok(Self { model, dim, spans, vectors })
    }

    /// The question's unit vector.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        let mut v = self.model.encode_single(text);
        normalise(&mut v);
        v
    }

    /// Per document, the best cosine similarity between the question and any
    /// of the document's texts.
    pub fn scores(&self, question: &str) -> Vec<f32> {
        let q = self.embed(question);
        if q.iter().all(|x| *x == 0.0) {
            return vec![0.0; self.spans.len()];
        }
        self.spans
            .iter()
            .map(|&(start, n)| {
                (start..start + n)
                    .map(|row| dot(&self.vectors[row * self.dim..(row + 1) * self.dim], &q))
                    .fold(f32::MIN, f32::max)
            })
            .collect()
    }
}
