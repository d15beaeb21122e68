//! Every example manifest checks without errors and renders in every format.
